import type { Metadata } from "next";
import { CatalogScreen } from "@/components/catalog/catalog-screen";
import { getDb } from "@/db/client";
import { requireCatalogViewer } from "@/lib/auth/session";
import { catalogViewerFor, loadCatalogView } from "@/lib/catalog/service";

export const metadata: Metadata = { title: "Catalog" };

export default async function CatalogPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireCatalogViewer();
  const view = await loadCatalogView(getDb(), await searchParams, catalogViewerFor(user));
  return <CatalogScreen view={view} signedIn={user !== null} />;
}

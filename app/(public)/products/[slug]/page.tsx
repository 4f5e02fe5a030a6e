import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { ProductScreen } from "@/components/catalog/product-screen";
import { getDb } from "@/db/client";
import { requireCatalogViewer } from "@/lib/auth/session";
import { catalogViewerFor, loadProductView } from "@/lib/catalog/service";

// No loading.tsx in this segment on purpose: a Suspense boundary would start streaming a 200
// before notFound() runs, and an unknown slug must answer with a real 404 status.
type Props = { params: Promise<{ slug: string }> };

// generateMetadata and the page both need the product; cache() makes that one query per request.
const loadForRequest = cache(async (slug: string) => {
  const user = await requireCatalogViewer();
  const product = await loadProductView(getDb(), slug, catalogViewerFor(user));
  return { product, viewer: user ? { teams: user.teams.map((t) => ({ id: t.id, name: t.name })) } : null };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { product } = await loadForRequest((await params).slug);
  return { title: product ? product.name : "Product not found" };
}

export default async function ProductPage({ params }: Props) {
  const { product, viewer } = await loadForRequest((await params).slug);
  if (!product) notFound();
  return <ProductScreen product={product} viewer={viewer} />;
}

import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { ProductScreen, type ProductOps } from "@/components/catalog/product-screen";
import { SAMPLE_TIER_PARAM } from "@/components/products/samples-panel";
import { getDb } from "@/db/client";
import { requireCatalogViewer } from "@/lib/auth/session";
import { catalogViewerFor, loadProductView } from "@/lib/catalog/service";
import { listProductConsumers } from "@/lib/products/consumers";
import { getProductHealth } from "@/lib/products/health";
import { resolveSampleSource } from "@/lib/products/samples";

// No loading.tsx in this segment on purpose: a Suspense boundary would start streaming a 200
// before notFound() runs, and an unknown slug must answer with a real 404 status. (The samples
// section has its own Suspense inside the page, after the product was found.)
type Props = { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

// generateMetadata and the page both need the product; cache() makes that one query per request.
const loadForRequest = cache(async (slug: string) => {
  const user = await requireCatalogViewer();
  const product = await loadProductView(getDb(), slug, catalogViewerFor(user));
  return { user, product, viewer: user ? { teams: user.teams.map((t) => ({ id: t.id, name: t.name })) } : null };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { product } = await loadForRequest((await params).slug);
  return { title: product ? product.name : "Product not found" };
}

export default async function ProductPage({ params, searchParams }: Props) {
  const { user, product, viewer } = await loadForRequest((await params).slug);
  if (!product) notFound();
  const tierParam = (await searchParams)[SAMPLE_TIER_PARAM];
  const db = getDb();
  // Each of these checks who asks: health and consumers are null for anyone outside the owning team (and admins).
  const [health, consumers, samples] = await Promise.all([
    getProductHealth(db, user, product.id),
    listProductConsumers(db, user, product.id),
    resolveSampleSource(db, user, product.id, typeof tierParam === "string" ? tierParam : null),
  ]);
  const ops: ProductOps | null = health && consumers ? { health, consumers: consumers.consumers, canRevoke: consumers.canRevoke } : null;
  return <ProductScreen product={product} viewer={viewer} ops={ops} samples={samples} />;
}

import { loadSubscriptionPage } from "./load";

/**
 * Looks the subscription up before loading.tsx's Suspense boundary starts streaming, so an
 * unknown id (or another team's) gets a real 404 status rather than a 200 skeleton. The page
 * asks again (the same cached lookup): layouts are not re-run on client navigation.
 */
export default async function SubscriptionLayout({ children, params }: { children: React.ReactNode; params: Promise<{ id: string }> }) {
  await loadSubscriptionPage((await params).id);
  return children;
}

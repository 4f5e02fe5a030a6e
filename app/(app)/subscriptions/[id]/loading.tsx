import { Skeleton } from "@/components/ui";

export default function SubscriptionLoading() {
  return (
    <main className="space-y-6" aria-busy="true" aria-label="Loading the subscription">
      <Skeleton className="h-4 w-40" />
      <Skeleton className="h-8 w-96 max-w-full" />
      <Skeleton className="h-28 w-full" />
      <Skeleton className="h-64 w-full" />
    </main>
  );
}

import { Skeleton } from "@/components/ui";

export default function CatalogLoading() {
  return (
    <main className="mx-auto w-full max-w-7xl flex-1 px-4 py-8 sm:px-6" aria-busy="true">
      <span className="sr-only" role="status">
        Loading the catalog…
      </span>
      <Skeleton className="h-8 w-72" />
      <Skeleton className="mt-3 h-4 w-96" />
      <Skeleton className="mt-6 h-10 w-full" />
      <div className="mt-6 grid gap-8 lg:grid-cols-[15rem_1fr]">
        <div className="space-y-3">
          {Array.from({ length: 8 }, (_, i) => (
            <Skeleton key={i} className="h-5 w-full" />
          ))}
        </div>
        <div className="space-y-3">
          {Array.from({ length: 5 }, (_, i) => (
            <Skeleton key={i} className="h-32 w-full" />
          ))}
        </div>
      </div>
    </main>
  );
}

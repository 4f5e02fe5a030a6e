import { Skeleton } from "@/components/ui";

export default function ProductLoading() {
  return (
    <main className="mx-auto w-full max-w-7xl flex-1 px-4 py-8 sm:px-6" aria-busy="true">
      <span className="sr-only" role="status">
        Loading the product…
      </span>
      <Skeleton className="h-4 w-40" />
      <Skeleton className="mt-4 h-8 w-96" />
      <Skeleton className="mt-3 h-4 w-full max-w-2xl" />
      <Skeleton className="mt-8 h-10 w-full" />
      <div className="mt-6 grid gap-8 lg:grid-cols-[1fr_18rem]">
        <Skeleton className="h-96 w-full" />
        <Skeleton className="h-80 w-full" />
      </div>
    </main>
  );
}

import { Skeleton } from "@/components/ui";

export default function AuditLoading() {
  return (
    <main className="space-y-6" aria-busy="true" aria-label="Loading the audit log">
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-32 w-full" />
      <Skeleton className="h-96 w-full" />
    </main>
  );
}

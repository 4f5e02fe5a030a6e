import { requireRole } from "@/lib/auth/session";

/**
 * The role check runs here as well as in the page: the layout renders before loading.tsx's
 * Suspense boundary starts streaming, so a non-admin gets a real 403 status instead of a 200
 * skeleton. The page checks again, because layouts are not re-run on client navigation.
 */
export default async function AuditLayout({ children }: { children: React.ReactNode }) {
  await requireRole("admin");
  return children;
}

import type { Metadata } from "next";
import Link from "next/link";
import { buttonClasses } from "@/components/ui";

export const metadata: Metadata = { title: "Page not found" };

/** The 404 for unknown routes and for notFound() calls such as an unknown product slug. */
export default function NotFound() {
  return (
    <main className="mx-auto flex w-full max-w-2xl flex-1 flex-col items-center justify-center px-4 py-20 text-center">
      <p className="text-sm font-semibold uppercase tracking-wide text-brand-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">We couldn’t find that page</h1>
      <p className="mt-3 text-slate-600">
        The link may be old, or the data product may have been retired or renamed. The catalog lists everything that is currently published.
      </p>
      <div className="mt-8 flex flex-wrap items-center justify-center gap-3">
        <Link href="/catalog" className={buttonClasses("primary")}>
          Browse the catalog
        </Link>
        <Link href="/" className={buttonClasses("ghost")}>
          Home
        </Link>
      </div>
    </main>
  );
}

"use client";

import { Button } from "@/components/ui";

/** Shown if the report fails to load (e.g. the database is down); details stay in the server log. */
export default function FinanceError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto w-full max-w-3xl py-16 text-center">
      <h1 className="text-xl font-semibold text-slate-900">The finance report could not be loaded</h1>
      <p className="mt-2 text-sm text-slate-600">Something went wrong on our side. Please try again in a moment.</p>
      <div className="mt-6 flex justify-center">
        <Button onClick={() => reset()}>Try again</Button>
      </div>
    </main>
  );
}

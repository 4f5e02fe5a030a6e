"use client";

import Link from "next/link";
import { Button } from "@/components/ui";

export default function SubscriptionError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto w-full max-w-3xl flex-1 px-4 py-16 text-center sm:px-6">
      <h1 className="text-xl font-semibold text-slate-900">This subscription could not be loaded</h1>
      <p className="mt-2 text-sm text-slate-600">Something went wrong on our side. Please try again in a moment.</p>
      <div className="mt-6 flex items-center justify-center gap-4">
        <Button onClick={() => reset()}>Try again</Button>
        <Link href="/subscriptions" className="text-sm font-medium text-brand-700 hover:underline">
          Back to My subscriptions
        </Link>
      </div>
    </main>
  );
}

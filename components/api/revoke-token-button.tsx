"use client";

import { useState } from "react";
import { Button } from "@/components/ui";
import { revokeApiTokenAction } from "@/lib/api/actions";

/** Revoking is immediate and final, so it asks first (in the page, readable by screen readers). */
export function RevokeTokenButton({ tokenId, name }: { tokenId: string; name: string }) {
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!confirming) {
    return (
      <Button size="sm" variant="ghost" onClick={() => setConfirming(true)} aria-label={`Revoke token ${name}`}>
        Revoke
      </Button>
    );
  }
  return (
    <span className="inline-flex flex-wrap items-center gap-2" role="group" aria-label={`Confirm revoking token ${name}`}>
      <span className="text-sm text-slate-700">Revoke now? Clients using it stop working.</span>
      <Button
        size="sm"
        variant="danger"
        loading={pending}
        onClick={async () => {
          setPending(true);
          const result = await revokeApiTokenAction({ tokenId });
          setPending(false);
          if (!result.ok) setError(result.error.message);
          else setConfirming(false);
        }}
      >
        Yes, revoke
      </Button>
      <Button size="sm" variant="secondary" onClick={() => setConfirming(false)} disabled={pending}>
        Keep
      </Button>
      {error && (
        <span role="alert" className="text-sm text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}

"use client";

import { useState } from "react";
import { Button } from "@/components/ui";
import { revokeInvitationAction } from "@/lib/auth/actions";

/** Two steps instead of window.confirm: the confirmation is part of the page and readable by screen readers. */
export function RevokeInvitationButton({ invitationId, email }: { invitationId: string; email: string }) {
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (!confirming) {
    return (
      <Button size="sm" variant="ghost" onClick={() => setConfirming(true)} aria-label={`Revoke invitation for ${email}`}>
        Revoke
      </Button>
    );
  }
  return (
    <span className="inline-flex flex-wrap items-center gap-2" role="group" aria-label={`Confirm revoking the invitation for ${email}`}>
      <span className="text-sm text-slate-700">Revoke this invitation?</span>
      <Button
        size="sm"
        variant="danger"
        loading={pending}
        onClick={async () => {
          setPending(true);
          const result = await revokeInvitationAction({ invitationId });
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

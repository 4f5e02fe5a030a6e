"use client";

import { useState } from "react";
import { Button } from "@/components/ui";
import { setUserDisabledAction } from "@/lib/auth/actions";

/** Disabling asks for confirmation in the page; re-enabling is harmless and does not. */
export function UserDisableButton({ userId, email, disabled }: { userId: string; email: string; disabled: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function apply(next: boolean) {
    setPending(true);
    const result = await setUserDisabledAction({ userId, disabled: next });
    setPending(false);
    setConfirming(false);
    setError(result.ok ? null : result.error.message);
  }

  return (
    <span className="inline-flex flex-wrap items-center justify-end gap-2">
      {disabled ? (
        <Button size="sm" variant="secondary" loading={pending} onClick={() => apply(false)} aria-label={`Enable ${email}`}>
          Enable
        </Button>
      ) : confirming ? (
        <span role="group" aria-label={`Confirm disabling ${email}`} className="inline-flex items-center gap-2">
          <span className="text-sm text-slate-700">Disable and sign out?</span>
          <Button size="sm" variant="danger" loading={pending} onClick={() => apply(true)}>
            Yes, disable
          </Button>
          <Button size="sm" variant="secondary" disabled={pending} onClick={() => setConfirming(false)}>
            Keep
          </Button>
        </span>
      ) : (
        <Button size="sm" variant="ghost" onClick={() => setConfirming(true)} aria-label={`Disable ${email}`}>
          Disable
        </Button>
      )}
      {error && (
        <span role="alert" className="text-sm text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}

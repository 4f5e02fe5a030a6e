"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { Alert, Button, Textarea } from "@/components/ui";
import { revokeSubscriptionAction } from "@/lib/subscriptions/actions";

/**
 * Revoke one consumer's subscription from the product's Consumers tab, after a confirmation with
 * an optional reason (sent to the consumer). Same pattern as SubscriptionActions' cancel; the
 * action checks that the caller owns the product's team.
 */
export function RevokeSubscriptionButton({ subscriptionId, teamName }: { subscriptionId: string; teamName: string }) {
  const router = useRouter();
  const reasonId = useId();
  const [pending, startTransition] = useTransition();
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string[] | undefined>();

  function revoke() {
    setError(null);
    setFieldError(undefined);
    startTransition(async () => {
      const res = await revokeSubscriptionAction({ subscriptionId, reason: reason.trim() || undefined });
      if (!res.ok) {
        setFieldError(res.error.fieldErrors?.reason);
        setError(res.error.message);
        return;
      }
      setConfirming(false);
      router.refresh();
    });
  }

  if (!confirming) {
    return (
      <Button size="sm" variant="secondary" className="border-red-200 text-red-700 hover:bg-red-50" onClick={() => setConfirming(true)} aria-label={`Revoke ${teamName}'s access`}>
        Revoke
      </Button>
    );
  }
  return (
    <div role="group" aria-label={`Confirm revoking ${teamName}'s access`} className="w-72 space-y-2 rounded-md border border-slate-200 bg-slate-50 p-3 text-left">
      <p className="text-sm text-slate-700">Access ends now: {teamName}&apos;s credentials stop working and open connections are cut.</p>
      <Textarea
        id={reasonId}
        name="reason"
        label="Reason for the consumer (optional)"
        rows={2}
        maxLength={2000}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        error={fieldError}
      />
      {error && !fieldError && <Alert tone="error">{error}</Alert>}
      <div className="flex gap-2">
        <Button size="sm" variant="danger" loading={pending} onClick={revoke}>
          Yes, revoke
        </Button>
        <Button size="sm" variant="ghost" disabled={pending} onClick={() => setConfirming(false)}>
          Back
        </Button>
      </div>
    </div>
  );
}

"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Alert, Button } from "@/components/ui";
import {
  cancelSubscriptionAction,
  retryProvisioningAction,
  revealCredentialsAction,
  rotateCredentialsAction,
} from "@/lib/subscriptions/actions";
import { CredentialPanel, type ShownCredential } from "./credential-panel";

type Confirming = null | "reveal" | "rotate" | "cancel";

const confirmText: Record<Exclude<Confirming, null>, { text: string; yes: string; variant: "primary" | "danger" }> = {
  reveal: { text: "The password is shown once and cannot be displayed again. Have somewhere safe to store it.", yes: "Reveal now", variant: "primary" },
  rotate: {
    text: "New credentials are created and shown once; the current ones keep working for a grace period, then stop.",
    yes: "Rotate now",
    variant: "primary",
  },
  cancel: { text: "Access ends now: the credentials stop working and open connections are cut.", yes: "Yes, cancel", variant: "danger" },
};

/** Actions on one subscription; the revealed credential stays in this component's memory only. */
export function SubscriptionActions({
  subscriptionId,
  productName,
  state,
  revealed,
}: {
  subscriptionId: string;
  productName: string;
  state: string;
  /** The current credential generation was already revealed: only rotation can show a password again. */
  revealed: boolean;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [error, setError] = useState<string | null>(null);
  const [credential, setCredential] = useState<ShownCredential | null>(null);

  function run(kind: Exclude<Confirming, null> | "retry") {
    setError(null);
    startTransition(async () => {
      if (kind === "reveal" || kind === "rotate") {
        const res = await (kind === "reveal" ? revealCredentialsAction : rotateCredentialsAction)({ subscriptionId });
        if (!res.ok) setError(res.error.message);
        else setCredential(res.data);
      } else {
        const res = await (kind === "cancel" ? cancelSubscriptionAction : retryProvisioningAction)({ subscriptionId });
        if (!res.ok) setError(res.error.message);
      }
      setConfirming(null);
      router.refresh();
    });
  }

  const live = ["requested", "provisioning", "active", "suspended", "failed"].includes(state);
  return (
    <div className="mt-3">
      {error && (
        <Alert tone="error" className="mb-3">
          {error}
        </Alert>
      )}
      {confirming ? (
        <div role="group" aria-label={`Confirm for ${productName}`} className="flex flex-wrap items-center gap-2 rounded-md border border-slate-200 bg-slate-50 p-3">
          <p className="flex-1 text-sm text-slate-700">{confirmText[confirming].text}</p>
          <Button size="sm" variant={confirmText[confirming].variant} loading={pending} onClick={() => run(confirming)}>
            {confirmText[confirming].yes}
          </Button>
          <Button size="sm" variant="ghost" disabled={pending} onClick={() => setConfirming(null)}>
            Back
          </Button>
        </div>
      ) : (
        <div className="flex flex-wrap gap-2">
          {state === "active" && !revealed && !credential && (
            <Button size="sm" onClick={() => setConfirming("reveal")}>
              Reveal credentials
            </Button>
          )}
          {state === "active" && (revealed || credential) && (
            <Button size="sm" variant="secondary" onClick={() => setConfirming("rotate")}>
              Rotate credentials
            </Button>
          )}
          {state === "failed" && (
            <Button size="sm" loading={pending} onClick={() => run("retry")}>
              Retry
            </Button>
          )}
          {live && (
            <Button size="sm" variant="ghost" onClick={() => setConfirming("cancel")}>
              Cancel subscription
            </Button>
          )}
        </div>
      )}
      {credential && <CredentialPanel credential={credential} onClose={() => setCredential(null)} />}
    </div>
  );
}

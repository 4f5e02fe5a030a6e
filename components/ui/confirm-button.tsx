"use client";

import { useState } from "react";
import { Button } from "./button";

/**
 * A destructive action in two steps, confirmed in the page (not window.confirm) so screen readers
 * read the question: "Revoke" → "Revoke this? [Yes, revoke] [Keep]". `onConfirm` returns an error
 * message to show, or null when done.
 */
export function ConfirmButton({
  label,
  ariaLabel,
  question,
  confirmLabel,
  onConfirm,
}: {
  label: string;
  /** Names the target for screen readers, e.g. "Revoke token CI". */
  ariaLabel: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => Promise<string | null>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!confirming) {
    return (
      <span className="inline-flex flex-wrap items-center gap-2">
        <Button size="sm" variant="ghost" onClick={() => setConfirming(true)} aria-label={ariaLabel}>
          {label}
        </Button>
        {error && (
          <span role="alert" className="text-sm text-red-700">
            {error}
          </span>
        )}
      </span>
    );
  }
  return (
    <span className="inline-flex flex-wrap items-center gap-2" role="group" aria-label={`Confirm: ${ariaLabel}`}>
      <span className="text-sm text-slate-700">{question}</span>
      <Button
        size="sm"
        variant="danger"
        loading={pending}
        onClick={async () => {
          setPending(true);
          const failure = await onConfirm();
          setPending(false);
          setError(failure);
          setConfirming(false);
        }}
      >
        {confirmLabel}
      </Button>
      <Button size="sm" variant="secondary" onClick={() => setConfirming(false)} disabled={pending}>
        Keep
      </Button>
    </span>
  );
}

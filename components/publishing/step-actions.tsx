"use client";

import Link from "next/link";
import { Alert, Button, buttonClasses } from "@/components/ui";
import { STEP_LABELS, STEPS, type Step } from "@/lib/publishing/schemas";

/** Back / Save draft / Save and continue, with the outcome of the last save announced. */
export function StepActions({
  productId,
  step,
  pending,
  onSave,
  message,
  canSave = true,
}: {
  productId: string | null;
  step: Step;
  pending: boolean;
  onSave: (advance: boolean) => void;
  message?: { tone: "success" | "error"; text: string } | null;
  canSave?: boolean;
}) {
  const i = STEPS.indexOf(step);
  const prev = i > 0 ? STEPS[i - 1] : null;
  const next = STEPS[i + 1];
  return (
    <div className="mt-8 space-y-3 border-t border-slate-200 pt-4">
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
      <div className="flex flex-wrap items-center gap-3">
        {prev && productId ? (
          <Link href={`/owner/publish/${productId}/${prev}`} className={buttonClasses("ghost")}>
            ← Back<span className="sr-only"> to {STEP_LABELS[prev]}</span>
          </Link>
        ) : (
          <Link href="/owner" className={buttonClasses("ghost")}>
            Cancel
          </Link>
        )}
        <div className="ml-auto flex gap-3">
          {productId && (
            <Button variant="secondary" onClick={() => onSave(false)} loading={pending} disabled={!canSave}>
              Save draft
            </Button>
          )}
          <Button onClick={() => onSave(true)} loading={pending} disabled={!canSave}>
            Save and continue{next ? <span className="sr-only"> to {STEP_LABELS[next]}</span> : null} →
          </Button>
        </div>
      </div>
    </div>
  );
}

"use client";

import { useRouter } from "next/navigation";
import { useId, useRef, useState, useTransition } from "react";
import { Alert, Button, Input, Textarea } from "@/components/ui";
import { createAdjustmentAction } from "@/lib/billing/actions";
import { formatMoney, parseMajor } from "@/lib/billing/pricing";

export type AdjustableCharge = {
  id: string;
  /** What the line is for, e.g. "Rated CDR Billing Events · Internal volume plan". */
  label: string;
  amountMinor: number;
  currency: string;
};

/**
 * "Adjust" on a closed period's charge line: a dialog (native <dialog>: focus moves in, Escape
 * cancels) with a signed amount in the charge's currency and a required reason, then a
 * confirmation step that states exactly what is booked where. The original line is never
 * changed; the server books a compensating line in `bookIn` and audits it.
 */
export function AdjustChargeButton({ charge, bookInLabel }: { charge: AdjustableCharge; bookInLabel: string }) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const uid = useId();
  const [pending, start] = useTransition();
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [fieldErrors, setFieldErrors] = useState<{ amount?: string[]; reason?: string[] }>({});
  const [error, setError] = useState<string | null>(null);
  const [review, setReview] = useState<number | null>(null);
  const [done, setDone] = useState<string | null>(null);

  function open() {
    setAmount("");
    setReason("");
    setFieldErrors({});
    setError(null);
    setReview(null);
    dialog.current?.showModal();
  }

  /** Checks the form in the browser first (same rules as the server) and shows the confirmation. */
  function toReview(e: React.FormEvent) {
    e.preventDefault();
    const errs: { amount?: string[]; reason?: string[] } = {};
    let minor: number | null = null;
    try {
      minor = parseMajor(amount, charge.currency);
      if (minor === 0) errs.amount = ["Enter a non-zero amount: negative for a credit, positive for a charge."];
    } catch (err) {
      errs.amount = [(err as Error).message];
    }
    if (reason.trim().length < 3) errs.reason = ["Say why the charge is corrected."];
    setFieldErrors(errs);
    if (errs.amount || errs.reason || minor === null) return;
    setReview(minor);
  }

  function confirm() {
    setError(null);
    start(async () => {
      const res = await createAdjustmentAction({ chargeId: charge.id, amount: amount.trim(), reason: reason.trim() });
      if (!res.ok) {
        if (res.error.fieldErrors?.amount || res.error.fieldErrors?.reason) {
          setFieldErrors({ amount: res.error.fieldErrors.amount, reason: res.error.fieldErrors.reason });
          setReview(null);
        } else setError(res.error.message);
        return;
      }
      dialog.current?.close();
      setDone(`Adjustment of ${formatMoney(res.data.amountMinor, res.data.currency)} booked in ${res.data.bookedIn}.`);
      router.refresh();
    });
  }

  const titleId = `${uid}-title`;
  return (
    <>
      <Button size="sm" variant="secondary" onClick={open} aria-label={`Adjust charge: ${charge.label}`}>
        Adjust
      </Button>
      {done && (
        <p role="status" className="mt-1 text-xs text-green-700" data-testid="adjust-done">
          {done}
        </p>
      )}
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        className="m-auto w-full max-w-md rounded-lg border border-slate-200 p-0 text-left shadow-xl backdrop:bg-slate-900/40"
      >
        {review === null ? (
          <form onSubmit={toReview} noValidate>
            <div className="space-y-4 px-5 py-4">
              <div>
                <h2 id={titleId} className="text-base font-semibold text-slate-900">
                  Adjust a closed charge
                </h2>
                <p className="mt-1 text-sm text-slate-600">
                  {charge.label}: {formatMoney(charge.amountMinor, charge.currency)}. The line stays as it is; a compensating line is
                  booked in {bookInLabel}.
                </p>
              </div>
              <Input
                id={`${uid}-amount`}
                name="amount"
                label={`Amount (${charge.currency})`}
                inputMode="decimal"
                autoComplete="off"
                placeholder="-12.50"
                value={amount}
                onChange={(e) => setAmount(e.target.value)}
                hint="Negative for a credit, positive for an extra charge."
                error={fieldErrors.amount}
                required
              />
              <Textarea
                id={`${uid}-reason`}
                name="reason"
                label="Reason"
                rows={3}
                maxLength={500}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                hint="Shown on the line and kept in the audit trail, e.g. a ticket number."
                error={fieldErrors.reason}
                required
              />
            </div>
            <div className="flex justify-end gap-2 border-t border-slate-100 px-5 py-3">
              <Button variant="ghost" onClick={() => dialog.current?.close()}>
                Cancel
              </Button>
              <Button type="submit">Review</Button>
            </div>
          </form>
        ) : (
          <div>
            <div className="space-y-3 px-5 py-4">
              <h2 id={titleId} className="text-base font-semibold text-slate-900">
                Book this adjustment?
              </h2>
              <p className="text-sm text-slate-700" data-testid="adjust-summary">
                {review < 0 ? "Credit" : "Charge"} of <strong>{formatMoney(review, charge.currency)}</strong> against {charge.label}, booked in{" "}
                {bookInLabel}. Reason: “{reason.trim()}”.
              </p>
              <p className="text-xs text-slate-500">It cannot be edited afterwards; a mistake is corrected by another adjustment.</p>
              {error && <Alert tone="error">{error}</Alert>}
            </div>
            <div className="flex justify-end gap-2 border-t border-slate-100 px-5 py-3">
              <Button variant="ghost" disabled={pending} onClick={() => setReview(null)}>
                Back
              </Button>
              <Button loading={pending} onClick={confirm}>
                {pending ? "Booking…" : "Book adjustment"}
              </Button>
            </div>
          </div>
        )}
      </dialog>
    </>
  );
}

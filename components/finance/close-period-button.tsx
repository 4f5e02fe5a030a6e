"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { Alert, Button } from "@/components/ui";
import { closePeriodAction } from "@/lib/billing/actions";

/**
 * Close a period: a confirmation dialog (native <dialog>: focus moves in, Escape cancels), then
 * the server action with a pending state. Errors (closed meanwhile, an earlier period still
 * open) are shown in the dialog.
 */
export function ClosePeriodButton({ period, label }: { period: string; label: string }) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  function confirm() {
    setError(null);
    start(async () => {
      const res = await closePeriodAction({ period });
      if (!res.ok) {
        setError(res.error.fieldErrors?.period?.join(" ") ?? res.error.message);
        return;
      }
      dialog.current?.close();
      setDone(`${label} is closed: ${res.data.lines} charge lines are frozen.`);
      router.refresh();
    });
  }

  return (
    <>
      <Button variant="danger" onClick={() => (setError(null), dialog.current?.showModal())}>
        Close period
      </Button>
      {done && (
        <Alert tone="success" className="mt-2">
          {done}
        </Alert>
      )}
      <dialog
        ref={dialog}
        aria-labelledby="close-period-title"
        aria-describedby="close-period-text"
        className="m-auto w-full max-w-md rounded-lg border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/40"
      >
        <div className="px-5 py-4">
          <h2 id="close-period-title" className="text-base font-semibold text-slate-900">
            Close {label}?
          </h2>
          <div id="close-period-text" className="mt-2 space-y-2 text-sm text-slate-700">
            <p>The charges are computed one last time and then frozen: nobody can change them afterwards.</p>
            <p>Usage for {label} that arrives later is billed in the next open period; corrections become compensating rows.</p>
          </div>
          {error && (
            <Alert tone="error" className="mt-3">
              {error}
            </Alert>
          )}
        </div>
        <div className="flex justify-end gap-2 border-t border-slate-100 px-5 py-3">
          <Button variant="ghost" disabled={pending} onClick={() => dialog.current?.close()}>
            Cancel
          </Button>
          <Button variant="danger" loading={pending} onClick={confirm}>
            {pending ? "Closing…" : `Close ${label}`}
          </Button>
        </div>
      </dialog>
    </>
  );
}

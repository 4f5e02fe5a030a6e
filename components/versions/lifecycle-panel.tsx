"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { Alert, Badge, Button, Input, Textarea } from "@/components/ui";
import { changeProductStatusAction } from "@/lib/versions/actions";

type Status = "draft" | "published" | "deprecated" | "retired";
type Errors = Record<string, string[]>;

export type LifecyclePanelProps = {
  productId: string;
  productName: string;
  productSlug: string;
  status: Status;
  sunsetAt: string | null;
  transitions: Status[];
  liveSubscriptions: number;
};

const STEPS: Status[] = ["draft", "published", "deprecated", "retired"];

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The lifecycle track with the moves allowed from the current status; retiring asks for confirmation in a dialog. */
export function LifecyclePanel({ productId, productName, productSlug, status, sunsetAt, transitions, liveSubscriptions }: LifecyclePanelProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [sunset, setSunset] = useState(inDays(90));
  const [reason, setReason] = useState("");
  const [typed, setTyped] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  function run(to: Status, extra: { sunsetAt?: Date; confirm?: boolean }) {
    setErrors({});
    setMessage(null);
    startTransition(async () => {
      const res = await changeProductStatusAction({ productId, to: to as "published" | "deprecated" | "retired", reason: reason || undefined, ...extra });
      if (!res.ok) {
        setErrors(res.error.fieldErrors ?? {});
        setMessage({ tone: "error", text: res.error.fieldErrors && !res.error.fieldErrors._form ? "Check the fields below." : res.error.message });
        return;
      }
      dialog.current?.close();
      const n = res.data.notified;
      const told = n ? ` ${n} subscriber${n === 1 ? " was" : "s were"} notified.` : "";
      setMessage({
        tone: "success",
        text:
          res.data.status === "retired"
            ? `${productName} is retired: ${res.data.endedSubscriptions} subscription${res.data.endedSubscriptions === 1 ? "" : "s"} ended and their access is being revoked.${told}`
            : res.data.status === "deprecated"
              ? `${productName} is deprecated until ${res.data.sunsetAt?.slice(0, 10)}.${told}`
              : `${productName} is published again.${told}`,
      });
      setReason("");
      setTyped("");
      router.refresh();
    });
  }

  return (
    <div className="space-y-4">
      <ol className="flex flex-wrap items-center gap-2 text-sm" aria-label="Lifecycle">
        {STEPS.map((s, i) => (
          <li key={s} className="flex items-center gap-2" aria-current={s === status ? "step" : undefined}>
            <span
              className={
                s === status
                  ? "rounded-full bg-brand-600 px-3 py-1 font-medium text-white"
                  : STEPS.indexOf(s) < STEPS.indexOf(status)
                    ? "rounded-full bg-slate-200 px-3 py-1 text-slate-700"
                    : "rounded-full border border-slate-300 px-3 py-1 text-slate-500"
              }
            >
              {s.charAt(0).toUpperCase() + s.slice(1)}
            </span>
            {i < STEPS.length - 1 && <span aria-hidden="true" className="text-slate-400">→</span>}
          </li>
        ))}
      </ol>
      {status === "deprecated" && sunsetAt && (
        <p className="text-sm text-slate-700">
          Sunset: <Badge tone="orange">{sunsetAt.slice(0, 10)}</Badge> — the product is retired automatically on that date.
        </p>
      )}

      {message && <Alert tone={message.tone}>{message.text}</Alert>}

      {transitions.length === 0 && <p className="text-sm text-slate-600">A retired product is final. Its subscriptions have ended.</p>}
      {status === "draft" && (
        <p className="text-sm text-slate-600">
          This product is a draft. Publish it from the publish wizard, which runs the publish checks first.
        </p>
      )}

      {transitions.length > 0 && status !== "draft" && (
        <Textarea
          id="lifecycle-reason"
          label="Note for subscribers (optional)"
          rows={2}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          hint="Added to the notification, e.g. the replacement product to move to."
          error={errors.reason}
        />
      )}

      {transitions.includes("deprecated") && (
        <div className="flex flex-wrap items-end gap-3">
          <Input
            id="sunset-at"
            type="date"
            label="Sunset date"
            min={inDays(1)}
            value={sunset}
            onChange={(e) => setSunset(e.target.value)}
            error={errors.sunsetAt}
            wrapperClassName="w-48"
          />
          <Button variant="secondary" loading={pending} onClick={() => run("deprecated", { sunsetAt: sunset ? new Date(`${sunset}T00:00:00Z`) : undefined })}>
            Deprecate
          </Button>
          <p className="basis-full text-xs text-slate-500">
            New subscriptions close; existing ones keep working until the sunset date. {liveSubscriptions} live subscription{liveSubscriptions === 1 ? "" : "s"} will be notified.
          </p>
        </div>
      )}

      {status === "deprecated" && transitions.includes("published") && (
        <div>
          <Button variant="ghost" loading={pending} onClick={() => run("published", {})}>
            Withdraw the deprecation
          </Button>
        </div>
      )}

      {transitions.includes("retired") && (
        <div>
          <Button variant="danger" disabled={pending} onClick={() => dialog.current?.showModal()}>
            Retire now…
          </Button>
        </div>
      )}

      <dialog ref={dialog} aria-labelledby="retire-title" aria-describedby="retire-desc" className="w-full max-w-md rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40">
        <div className="space-y-4 p-6">
          <h3 id="retire-title" className="text-lg font-semibold text-slate-900">
            Retire {productName}?
          </h3>
          <p id="retire-desc" className="text-sm text-slate-700">
            This ends all {liveSubscriptions} live subscription{liveSubscriptions === 1 ? "" : "s"} now and revokes their credentials. It cannot be undone.
          </p>
          <Input id="retire-confirm" label={`Type ${productSlug} to confirm`} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" error={errors.confirm} />
          <div className="flex justify-end gap-2">
            <Button variant="ghost" onClick={() => dialog.current?.close()} disabled={pending}>
              Cancel
            </Button>
            <Button variant="danger" loading={pending} disabled={typed !== productSlug} onClick={() => run("retired", { confirm: true })}>
              Retire and end subscriptions
            </Button>
          </div>
        </div>
      </dialog>
    </div>
  );
}

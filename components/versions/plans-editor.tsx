"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { emptyPlanForm, fromPlanForm, MODEL_LABELS, PlanFields, toPlanForm, type PlanForm } from "@/components/publishing/plan-fields";
import { Alert, Badge, Button, Checkbox, ConfirmButton } from "@/components/ui";
import { formatMajor } from "@/lib/billing/pricing";
import { createPlanAction, deactivatePlanAction, updatePlanAction } from "@/lib/versions/actions";
import type { OfferPlan } from "@/lib/versions/offer";

type Errors = Record<string, string[]>;

function priceText(p: OfferPlan): string {
  if (p.priceModel === "free") return "Free";
  const unit = p.priceModel === "per_gb" ? "per GB" : p.priceModel === "per_million_messages" ? "per million messages" : "per month";
  return `${p.currency} ${formatMajor(p.priceMinor, p.currency)} ${unit}${p.monthlyCapMinor !== null ? `, capped at ${formatMajor(p.monthlyCapMinor, p.currency)} a month` : ""}`;
}

function PlanForm({
  id,
  initial,
  tiers,
  tierFixed,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  id: string;
  initial: PlanForm;
  tiers: { name: string; fullAccess: boolean }[];
  tierFixed: boolean;
  submitLabel: string;
  onSubmit: (form: PlanForm) => Promise<Errors | null>;
  onCancel?: () => void;
}) {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [pending, start] = useTransition();
  return (
    <form
      aria-label={submitLabel}
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => setErrors((await onSubmit(form)) ?? {}));
      }}
    >
      {errors._form && (
        <Alert tone="error" title="Not saved">
          <ul className="list-disc pl-5">
            {errors._form.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </Alert>
      )}
      <PlanFields idPrefix={id} plan={form} tiers={tiers} tierFixed={tierFixed} onChange={(patch) => setForm((f) => ({ ...f, ...patch }))} error={(k) => errors[k]} />
      <Checkbox id={`${id}-external`} label="External organizations may buy this plan" checked={form.externalAllowed} onChange={(e) => setForm((f) => ({ ...f, externalAllowed: e.target.checked }))} />
      <div className="flex justify-end gap-2">
        {onCancel && (
          <Button variant="secondary" onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
        )}
        <Button type="submit" loading={pending}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

/**
 * A published product's plans: add, edit (the tier stays; the price only while nobody pays it)
 * and deactivate with confirmation. Every save runs the publish checks on the whole offer.
 */
export function PlansEditor({ productId, plans, tiers, editable, canAdd }: { productId: string; plans: OfferPlan[]; tiers: { name: string; fullAccess: boolean }[]; editable: boolean; canAdd: boolean }) {
  const router = useRouter();
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const active = plans.filter((p) => p.active);
  const inactive = plans.filter((p) => !p.active);

  async function run(res: Promise<{ ok: true; data: { changed: boolean } } | { ok: false; error: { message: string; fieldErrors?: Errors } }>, done: string): Promise<Errors | null> {
    const r = await res;
    if (!r.ok) return { ...(r.error.fieldErrors ?? {}), ...(r.error.fieldErrors && Object.keys(r.error.fieldErrors).length ? {} : { _form: [r.error.message] }) };
    setMessage(r.data.changed ? done : "Nothing changed.");
    setEditing(null);
    setAdding(false);
    router.refresh();
    return null;
  }

  return (
    <div className="space-y-4">
      {message && <Alert tone="success">{message}</Alert>}
      {active.length === 0 && <p className="text-sm text-slate-600">No plan is offered.</p>}
      <ul className="space-y-3" aria-label="Active plans">
        {active.map((p) => (
          <li key={p.id} className="rounded-lg border border-slate-200 bg-white p-4">
            {editing === p.id ? (
              <PlanForm
                id={`edit-${p.id.slice(0, 8)}`}
                initial={toPlanForm(p)}
                tiers={tiers}
                tierFixed
                submitLabel={`Save plan ${p.name}`}
                onCancel={() => setEditing(null)}
                onSubmit={(f) => {
                  const { tier: _tier, ...plan } = fromPlanForm(f);
                  void _tier;
                  return run(updatePlanAction({ productId, planId: p.id, ...plan }), `Plan ${f.name} was saved.`);
                }}
              />
            ) : (
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div className="min-w-0">
                  <h3 className="font-medium text-slate-900">{p.name}</h3>
                  <p className="mt-1 text-sm text-slate-600">
                    Tier <span className="font-mono">{p.tier}</span> · {p.approval === "manual" ? "owner review" : "automatic approval"} · {priceText(p)}
                    {p.externalAllowed ? " · external organizations allowed" : ""}
                    {p.quotaBytesPerSec ? ` · ${p.quotaBytesPerSec} bytes/s` : ""}
                  </p>
                  <p className="mt-1 text-xs text-slate-500">
                    {p.liveSubscriptions} live subscription{p.liveSubscriptions === 1 ? "" : "s"} · {MODEL_LABELS[p.priceModel]}
                  </p>
                </div>
                {editable && (
                  <div className="flex flex-wrap items-center gap-2">
                    <Button size="sm" variant="secondary" onClick={() => setEditing(p.id)} aria-label={`Edit plan ${p.name}`}>
                      Edit
                    </Button>
                    <ConfirmButton
                      label="Deactivate"
                      ariaLabel={`Deactivate plan ${p.name}`}
                      question={`Stop offering ${p.name}?${p.liveSubscriptions ? ` Its ${p.liveSubscriptions} subscription${p.liveSubscriptions === 1 ? " keeps" : "s keep"} the plan.` : ""}`}
                      confirmLabel="Yes, deactivate"
                      onConfirm={async () => {
                        const res = await deactivatePlanAction({ productId, planId: p.id, confirm: true });
                        if (!res.ok) return res.error.message;
                        setMessage(`${p.name} is no longer offered; existing subscriptions keep it.`);
                        router.refresh();
                        return null;
                      }}
                    />
                  </div>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
      {canAdd &&
        (adding ? (
          <div className="rounded-lg border border-dashed border-slate-300 bg-white p-4">
            <h3 className="mb-3 font-medium text-slate-900">New plan</h3>
            <PlanForm
              id="new-plan"
              initial={emptyPlanForm(tiers.find((t) => !t.fullAccess)?.name ?? tiers[0]?.name ?? "")}
              tiers={tiers}
              tierFixed={false}
              submitLabel="Add plan"
              onCancel={() => setAdding(false)}
              onSubmit={(f) => run(createPlanAction({ productId, ...fromPlanForm(f) }), `Plan ${f.name} was added.`)}
            />
          </div>
        ) : (
          <Button variant="secondary" onClick={() => setAdding(true)}>
            Add plan
          </Button>
        ))}
      {inactive.length > 0 && (
        <details className="text-sm">
          <summary className="cursor-pointer text-slate-600">
            {inactive.length} plan{inactive.length === 1 ? "" : "s"} no longer offered
          </summary>
          <ul className="mt-2 space-y-1">
            {inactive.map((p) => (
              <li key={p.id} className="flex items-center gap-2 text-slate-600">
                <Badge tone="neutral">Inactive</Badge> {p.name} · {priceText(p)} · {p.liveSubscriptions} live subscription{p.liveSubscriptions === 1 ? "" : "s"}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

"use client";

import { useState } from "react";
import { Alert, Button, Checkbox } from "@/components/ui";
import type { PlanData } from "@/lib/publishing/schemas";
import { emptyPlanForm, fromPlanForm, PlanFields, toPlanForm, type PlanForm } from "./plan-fields";
import { StepActions } from "./step-actions";
import { errorsFor, useStepSave } from "./use-step-save";

function defaults(tiers: { name: string; fullAccess: boolean }[]): PlanForm[] {
  const masked = tiers.find((t) => !t.fullAccess);
  const full = tiers.find((t) => t.fullAccess);
  const out: PlanForm[] = [];
  if (masked) out.push({ name: "Internal", description: "Masked stream for internal teams.", tier: masked.name, approval: "auto", priceModel: "free", price: "", currency: "EUR", externalAllowed: false, quota: "", cap: "" });
  if (full) out.push({ name: "Full access", description: "Personal data in clear; reviewed by the owners.", tier: full.name, approval: "manual", priceModel: "per_gb", price: "2.50", currency: "EUR", externalAllowed: false, quota: "", cap: "" });
  return out;
}

/** Plans: tier, approval, price model with price and currency, external buyers, quota and monthly cap. */
export function PlansStep({ productId, tiers, initial }: { productId: string; tiers: { name: string; fullAccess: boolean }[]; initial: PlanData[] | null }) {
  const step = useStepSave(productId, "plans");
  const [plans, setPlans] = useState<PlanForm[]>(() => initial?.map(toPlanForm) ?? defaults(tiers));
  const update = (i: number, patch: Partial<PlanForm>) => setPlans((ps) => ps.map((p, j) => (j === i ? { ...p, ...patch } : p)));

  function onSave(advance: boolean) {
    step.save({ plans: plans.map(fromPlanForm) }, advance);
  }

  const e = (i: number, k: string) => errorsFor(step.errors, `plans.${i}.${k}`, true);
  return (
    <div className="space-y-5">
      {tiers.length === 0 && <Alert tone="warning">Define the masking tiers first; every plan delivers one tier.</Alert>}
      {errorsFor(step.errors, "plans") && <Alert tone="error">{errorsFor(step.errors, "plans")!.join(" ")}</Alert>}
      <ul className="space-y-4">
        {plans.map((p, i) => {
          return (
            <li key={i}>
              <fieldset className="rounded-lg border border-slate-200 bg-white p-4">
                <legend className="px-1 text-sm font-semibold text-slate-900">{p.name || `Plan ${i + 1}`}</legend>
                <PlanFields idPrefix={`plan-${i}`} plan={p} tiers={tiers} onChange={(patch) => update(i, patch)} error={(k) => e(i, k)} />
                <div className="mt-3 flex items-center justify-between">
                  <Checkbox id={`plan-${i}-external`} label="External organizations may buy this plan" checked={p.externalAllowed} onChange={(ev) => update(i, { externalAllowed: ev.target.checked })} />
                  <Button variant="ghost" size="sm" onClick={() => setPlans((ps) => ps.filter((_, j) => j !== i))} aria-label={`Remove plan ${p.name || i + 1}`}>
                    Remove
                  </Button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ul>
      <Button
        variant="secondary"
        onClick={() => setPlans((ps) => [...ps, emptyPlanForm(tiers[0]?.name ?? "")])}
        disabled={plans.length >= 10}
      >
        Add plan
      </Button>
      <StepActions productId={productId} step="plans" pending={step.pending} onSave={onSave} message={step.message} />
    </div>
  );
}

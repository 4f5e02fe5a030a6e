"use client";

import { useState } from "react";
import { Alert, Button, Checkbox, Input, Select } from "@/components/ui";
import type { PlanData } from "@/lib/publishing/schemas";
import { StepActions } from "./step-actions";
import { errorsFor, useStepSave } from "./use-step-save";

type PlanForm = {
  name: string;
  description: string;
  tier: string;
  approval: "auto" | "manual";
  priceModel: PlanData["priceModel"];
  price: string;
  currency: string;
  externalAllowed: boolean;
  quota: string;
  cap: string;
};

const MODEL_LABELS: Record<PlanData["priceModel"], string> = {
  free: "Free",
  per_gb: "Per GB delivered",
  per_million_messages: "Per million messages",
  flat_monthly: "Flat monthly",
};

/** Digits after the decimal point of a currency (EUR 2, JPY 0); 2 when the code is unknown. */
function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "2.50" EUR -> 250. Too many decimals give a fraction, which the publish checks reject with a message. */
function toMinor(s: string, currency: string): number {
  if (s.trim() === "") return 0;
  const n = Number(s.replace(",", "."));
  if (!Number.isFinite(n)) return Number.NaN;
  return Math.round(n * 10 ** minorDigits(currency) * 1e6) / 1e6;
}

function fromMinor(n: number | null | undefined, currency: string): string {
  if (n === null || n === undefined) return "";
  return String(n / 10 ** minorDigits(currency));
}

function toForm(p: PlanData): PlanForm {
  return {
    name: p.name,
    description: p.description,
    tier: p.tier,
    approval: p.approval,
    priceModel: p.priceModel,
    price: p.priceModel === "free" ? "" : fromMinor(p.priceMinor, p.currency),
    currency: p.currency,
    externalAllowed: p.externalAllowed,
    quota: p.quotaBytesPerSec === null ? "" : String(p.quotaBytesPerSec),
    cap: fromMinor(p.monthlyCapMinor, p.currency),
  };
}

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
  const [plans, setPlans] = useState<PlanForm[]>(() => initial?.map(toForm) ?? defaults(tiers));
  const update = (i: number, patch: Partial<PlanForm>) => setPlans((ps) => ps.map((p, j) => (j === i ? { ...p, ...patch } : p)));

  function onSave(advance: boolean) {
    step.save(
      {
        plans: plans.map((p) => ({
          name: p.name,
          description: p.description,
          tier: p.tier,
          approval: p.approval,
          priceModel: p.priceModel,
          priceMinor: p.priceModel === "free" ? 0 : toMinor(p.price, p.currency.toUpperCase()),
          currency: p.currency,
          externalAllowed: p.externalAllowed,
          quotaBytesPerSec: p.quota.trim() === "" ? null : Number(p.quota),
          monthlyCapMinor: p.cap.trim() === "" ? null : toMinor(p.cap, p.currency.toUpperCase()),
        })),
      },
      advance,
    );
  }

  const e = (i: number, k: string) => errorsFor(step.errors, `plans.${i}.${k}`, true);
  return (
    <div className="space-y-5">
      {tiers.length === 0 && <Alert tone="warning">Define the masking tiers first; every plan delivers one tier.</Alert>}
      {errorsFor(step.errors, "plans") && <Alert tone="error">{errorsFor(step.errors, "plans")!.join(" ")}</Alert>}
      <ul className="space-y-4">
        {plans.map((p, i) => {
          const full = tiers.find((t) => t.name === p.tier)?.fullAccess;
          return (
            <li key={i}>
              <fieldset className="rounded-lg border border-slate-200 bg-white p-4">
                <legend className="px-1 text-sm font-semibold text-slate-900">{p.name || `Plan ${i + 1}`}</legend>
                <div className="grid gap-4 sm:grid-cols-3">
                  <Input id={`plan-${i}-name`} label="Plan name" value={p.name} onChange={(ev) => update(i, { name: ev.target.value })} error={e(i, "name")} />
                  <Select id={`plan-${i}-tier`} label="Tier" value={p.tier} onChange={(ev) => update(i, { tier: ev.target.value })} error={e(i, "tier")}>
                    <option value="">Choose a tier</option>
                    {tiers.map((t) => (
                      <option key={t.name} value={t.name}>
                        {t.name}
                        {t.fullAccess ? " (full access)" : ""}
                      </option>
                    ))}
                  </Select>
                  <Select
                    id={`plan-${i}-approval`}
                    label="Approval"
                    value={p.approval}
                    onChange={(ev) => update(i, { approval: ev.target.value as PlanForm["approval"] })}
                    error={e(i, "approval")}
                    hint={full ? "Full-access tiers need owner review." : undefined}
                  >
                    <option value="auto">Automatic</option>
                    <option value="manual">Owner review</option>
                  </Select>
                  <Select id={`plan-${i}-model`} label="Price model" value={p.priceModel} onChange={(ev) => update(i, { priceModel: ev.target.value as PlanForm["priceModel"] })} error={e(i, "priceModel")}>
                    {Object.entries(MODEL_LABELS).map(([k, l]) => (
                      <option key={k} value={k}>
                        {l}
                      </option>
                    ))}
                  </Select>
                  <Input
                    id={`plan-${i}-price`}
                    label="Price"
                    inputMode="decimal"
                    value={p.priceModel === "free" ? "0" : p.price}
                    disabled={p.priceModel === "free"}
                    onChange={(ev) => update(i, { price: ev.target.value })}
                    error={e(i, "priceMinor")}
                    hint={p.priceModel === "free" ? undefined : `per ${p.priceModel === "per_gb" ? "GB" : p.priceModel === "per_million_messages" ? "million messages" : "month"}`}
                  />
                  <Input id={`plan-${i}-currency`} label="Currency" value={p.currency} maxLength={3} onChange={(ev) => update(i, { currency: ev.target.value.toUpperCase() })} error={e(i, "currency")} hint="ISO code, e.g. EUR" />
                  <Input id={`plan-${i}-quota`} label="Throughput quota (bytes/s)" inputMode="numeric" value={p.quota} onChange={(ev) => update(i, { quota: ev.target.value })} error={e(i, "quotaBytesPerSec")} hint="Optional" />
                  <Input id={`plan-${i}-cap`} label="Monthly cap" inputMode="decimal" value={p.cap} onChange={(ev) => update(i, { cap: ev.target.value })} error={e(i, "monthlyCapMinor")} hint="Optional, in the plan's currency" />
                  <Input id={`plan-${i}-description`} label="Description" value={p.description} onChange={(ev) => update(i, { description: ev.target.value })} error={e(i, "description")} />
                </div>
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
        onClick={() => setPlans((ps) => [...ps, { name: "", description: "", tier: tiers[0]?.name ?? "", approval: "manual", priceModel: "free", price: "", currency: "EUR", externalAllowed: false, quota: "", cap: "" }])}
        disabled={plans.length >= 10}
      >
        Add plan
      </Button>
      <StepActions productId={productId} step="plans" pending={step.pending} onSave={onSave} message={step.message} />
    </div>
  );
}

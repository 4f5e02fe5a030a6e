"use client";

import { Input, Select } from "@/components/ui";
import { formatMajor, minorUnitDigits } from "@/lib/billing/pricing";
import type { PlanData } from "@/lib/publishing/schemas";

/**
 * One plan's fields, shared by the publish wizard's plans step and the product management page.
 * Prices are typed in major units of the plan's currency and sent as integer minor units, with
 * the currency's own exponent (EUR 2, JPY 0) from lib/billing.
 */

export type PlanForm = {
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

export const MODEL_LABELS: Record<PlanData["priceModel"], string> = {
  free: "Free",
  per_gb: "Per GB delivered",
  per_million_messages: "Per million messages",
  flat_monthly: "Flat monthly",
};

/** "2.50" EUR -> 250. Too many decimals give a fraction, which the publish checks reject with a message. */
function toMinor(s: string, currency: string): number {
  if (s.trim() === "") return 0;
  const n = Number(s.replace(",", "."));
  if (!Number.isFinite(n)) return Number.NaN;
  return Math.round(n * 10 ** minorUnitDigits(currency) * 1e6) / 1e6;
}

function fromMinor(n: number | null | undefined, currency: string): string {
  if (n === null || n === undefined) return "";
  return Number.isSafeInteger(n) ? formatMajor(n, currency) : String(n / 10 ** minorUnitDigits(currency));
}

export function toPlanForm(p: Omit<PlanData, "tier"> & { tier: string }): PlanForm {
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

/** The form as the plan schema takes it (lib/publishing/schemas.ts PlanSchema). */
export function fromPlanForm(p: PlanForm): PlanData {
  const currency = p.currency.toUpperCase();
  return {
    name: p.name,
    description: p.description,
    tier: p.tier,
    approval: p.approval,
    priceModel: p.priceModel,
    priceMinor: p.priceModel === "free" ? 0 : toMinor(p.price, currency),
    currency,
    externalAllowed: p.externalAllowed,
    quotaBytesPerSec: p.quota.trim() === "" ? null : Number(p.quota),
    monthlyCapMinor: p.cap.trim() === "" ? null : toMinor(p.cap, currency),
  };
}

export const emptyPlanForm = (tier = ""): PlanForm => ({ name: "", description: "", tier, approval: "manual", priceModel: "free", price: "", currency: "EUR", externalAllowed: false, quota: "", cap: "" });

/** The grid of one plan's inputs; `error(key)` gives the messages of a plan field (priceMinor, currency, …). */
export function PlanFields({
  idPrefix,
  plan: p,
  tiers,
  onChange,
  error,
  tierFixed = false,
}: {
  idPrefix: string;
  plan: PlanForm;
  tiers: { name: string; fullAccess: boolean }[];
  onChange: (patch: Partial<PlanForm>) => void;
  error: (key: string) => string[] | undefined;
  tierFixed?: boolean;
}) {
  const full = tiers.find((t) => t.name === p.tier)?.fullAccess;
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      <Input id={`${idPrefix}-name`} label="Plan name" value={p.name} onChange={(ev) => onChange({ name: ev.target.value })} error={error("name")} />
      {tierFixed ? (
        <Input id={`${idPrefix}-tier`} label="Tier" value={p.tier} disabled hint="Fixed: its subscriptions read this tier's topic." />
      ) : (
        <Select id={`${idPrefix}-tier`} label="Tier" value={p.tier} onChange={(ev) => onChange({ tier: ev.target.value })} error={error("tier")}>
          <option value="">Choose a tier</option>
          {tiers.map((t) => (
            <option key={t.name} value={t.name}>
              {t.name}
              {t.fullAccess ? " (full access)" : ""}
            </option>
          ))}
        </Select>
      )}
      <Select
        id={`${idPrefix}-approval`}
        label="Approval"
        value={p.approval}
        onChange={(ev) => onChange({ approval: ev.target.value as PlanForm["approval"] })}
        error={error("approval")}
        hint={full ? "Full-access tiers need owner review." : undefined}
      >
        <option value="auto">Automatic</option>
        <option value="manual">Owner review</option>
      </Select>
      <Select id={`${idPrefix}-model`} label="Price model" value={p.priceModel} onChange={(ev) => onChange({ priceModel: ev.target.value as PlanForm["priceModel"] })} error={error("priceModel")}>
        {Object.entries(MODEL_LABELS).map(([k, l]) => (
          <option key={k} value={k}>
            {l}
          </option>
        ))}
      </Select>
      <Input
        id={`${idPrefix}-price`}
        label="Price"
        inputMode="decimal"
        value={p.priceModel === "free" ? "0" : p.price}
        disabled={p.priceModel === "free"}
        onChange={(ev) => onChange({ price: ev.target.value })}
        error={error("priceMinor")}
        hint={p.priceModel === "free" ? undefined : `per ${p.priceModel === "per_gb" ? "GB" : p.priceModel === "per_million_messages" ? "million messages" : "month"}`}
      />
      <Input id={`${idPrefix}-currency`} label="Currency" value={p.currency} maxLength={3} onChange={(ev) => onChange({ currency: ev.target.value.toUpperCase() })} error={error("currency")} hint="ISO code, e.g. EUR" />
      <Input id={`${idPrefix}-quota`} label="Throughput quota (bytes/s)" inputMode="numeric" value={p.quota} onChange={(ev) => onChange({ quota: ev.target.value })} error={error("quotaBytesPerSec")} hint="Optional" />
      <Input id={`${idPrefix}-cap`} label="Monthly cap" inputMode="decimal" value={p.cap} onChange={(ev) => onChange({ cap: ev.target.value })} error={error("monthlyCapMinor")} hint="Optional, in the plan's currency" />
      <Input id={`${idPrefix}-description`} label="Description" value={p.description} onChange={(ev) => onChange({ description: ev.target.value })} error={error("description")} />
    </div>
  );
}

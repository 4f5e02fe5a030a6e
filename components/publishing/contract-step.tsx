"use client";

import { useState } from "react";
import { Alert, Button, Input, Select, Textarea } from "@/components/ui";
import type { ContractData } from "@/lib/publishing/schemas";
import { StepActions } from "./step-actions";
import { errorsFor, useStepSave } from "./use-step-save";

type Kind = "required" | "range" | "pattern" | "enum" | "max_age" | "expression";
type RuleDraft = { id: string; kind: Kind; field: string; min: string; max: string; pattern: string; values: string; seconds: string; expression: string };

const KIND_LABELS: Record<Kind, string> = {
  required: "Required",
  range: "Range",
  pattern: "Pattern",
  enum: "One of (enum)",
  max_age: "Max age of a timestamp",
  expression: "Custom expression",
};

function toDraft(r: unknown, i: number): RuleDraft {
  const x = (r ?? {}) as { id?: string; kind?: Kind; field?: string; params?: Record<string, unknown> };
  const p = x.params ?? {};
  return {
    id: x.id ?? `r${i + 1}`,
    kind: x.kind ?? "required",
    field: x.field ?? "",
    min: p.min === undefined ? "" : String(p.min),
    max: p.max === undefined ? "" : String(p.max),
    pattern: typeof p.pattern === "string" ? p.pattern : "",
    values: Array.isArray(p.values) ? p.values.join(", ") : "",
    seconds: p.seconds === undefined ? "" : String(p.seconds),
    expression: typeof p.expression === "string" ? p.expression : "",
  };
}

function num(s: string): number | undefined {
  if (s.trim() === "") return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : (s as unknown as number);
}

function toRule(d: RuleDraft) {
  const params: Record<string, unknown> = {};
  if (d.kind === "range") {
    if (num(d.min) !== undefined) params.min = num(d.min);
    if (num(d.max) !== undefined) params.max = num(d.max);
  }
  if (d.kind === "pattern") params.pattern = d.pattern;
  if (d.kind === "enum") params.values = d.values.split(",").map((v) => v.trim()).filter(Boolean);
  if (d.kind === "max_age") params.seconds = num(d.seconds);
  if (d.kind === "expression") params.expression = d.expression;
  return { id: d.id.trim(), kind: d.kind, field: d.kind === "expression" && !d.field ? "" : d.field, params };
}

/** SLA, retention, purposes, prohibited uses, support contact and executable quality rules. */
export function ContractStep({ productId, initial, fieldPaths, defaultContact }: { productId: string; initial: ContractData | null; fieldPaths: string[]; defaultContact: string }) {
  const step = useStepSave(productId, "contract");
  const [v, setV] = useState({
    freshnessSlaSeconds: String(initial?.freshnessSlaSeconds ?? 60),
    availabilityTarget: initial?.availabilityTarget ?? "99.9%",
    retentionHours: String(initial?.retentionHours ?? 168),
    purposes: (initial?.purposes ?? []).join(", "),
    prohibitedUses: (initial?.prohibitedUses ?? []).join("\n"),
    supportContact: initial?.supportContact ?? defaultContact,
  });
  const [rules, setRules] = useState<RuleDraft[]>(() => (initial?.qualityRules ?? []).map(toDraft));
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV((o) => ({ ...o, [k]: e.target.value }));
  const setRule = (i: number, patch: Partial<RuleDraft>) => setRules((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const err = (k: string) => errorsFor(step.errors, `contract.${k}`, true);

  function onSave(advance: boolean) {
    step.save(
      {
        freshnessSlaSeconds: v.freshnessSlaSeconds,
        availabilityTarget: v.availabilityTarget,
        retentionHours: v.retentionHours,
        purposes: v.purposes.split(",").map((p) => p.trim()).filter(Boolean),
        prohibitedUses: v.prohibitedUses.split("\n").map((p) => p.trim()).filter(Boolean),
        supportContact: v.supportContact,
        qualityRules: rules.map(toRule),
      },
      advance,
    );
  }

  const nextId = () => {
    let n = rules.length + 1;
    while (rules.some((r) => r.id === `r${n}`)) n++;
    return `r${n}`;
  };

  return (
    <div className="space-y-6">
      <fieldset className="grid gap-5 sm:grid-cols-3">
        <legend className="sr-only">Service levels</legend>
        <Input label="Freshness SLA (seconds)" name="freshnessSlaSeconds" inputMode="numeric" value={v.freshnessSlaSeconds} onChange={set("freshnessSlaSeconds")} error={err("freshnessSlaSeconds")} hint="Max delay from event to delivery." />
        <Input label="Availability target" name="availabilityTarget" value={v.availabilityTarget} onChange={set("availabilityTarget")} error={err("availabilityTarget")} hint="e.g. 99.9%" />
        <Input label="Retention (hours)" name="retentionHours" inputMode="numeric" value={v.retentionHours} onChange={set("retentionHours")} error={err("retentionHours")} hint="How long delivery topics keep records." />
      </fieldset>
      <div className="grid gap-5 sm:grid-cols-2">
        <Input label="Allowed purposes" name="purposes" value={v.purposes} onChange={set("purposes")} error={err("purposes")} hint="Comma separated, e.g. network-optimisation, analytics. Subscribers pick one." />
        <Input label="Support contact" name="supportContact" type="email" value={v.supportContact} onChange={set("supportContact")} error={err("supportContact")} />
      </div>
      <Textarea label="Prohibited uses" name="prohibitedUses" value={v.prohibitedUses} onChange={set("prohibitedUses")} error={err("prohibitedUses")} rows={3} hint="One per line." />

      <section aria-labelledby="rules-heading" className="space-y-3">
        <div className="flex items-center justify-between">
          <div>
            <h2 id="rules-heading" className="text-base font-semibold text-slate-900">
              Quality rules
            </h2>
            <p className="text-sm text-slate-600">Checked on every record by the router (failures go to the DLQ) and now against the sampled messages.</p>
          </div>
          <Button variant="secondary" size="sm" onClick={() => setRules((r) => [...r, toDraft({ id: nextId(), kind: "required", field: fieldPaths[0] ?? "" }, r.length)])}>
            Add rule
          </Button>
        </div>
        {errorsFor(step.errors, "contract.qualityRules", true) && <Alert tone="error">{errorsFor(step.errors, "contract.qualityRules", true)!.join(" ")}</Alert>}
        {rules.length === 0 && <p className="rounded-md border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-600">No quality rules yet. Schema validation still applies.</p>}
        <ul className="space-y-3">
          {rules.map((r, i) => {
            const e = errorsFor(step.errors, `contract.rules.${r.id}`);
            const p = `rule-${i}`;
            return (
              <li key={i} className={`rounded-lg border bg-white p-4 ${e ? "border-red-300" : "border-slate-200"}`} aria-label={`Rule ${r.id}`}>
                <div className="grid gap-3 sm:grid-cols-[8rem_12rem_1fr_auto]">
                  <Input id={`${p}-id`} label="Rule id" value={r.id} onChange={(ev) => setRule(i, { id: ev.target.value })} />
                  <Select id={`${p}-kind`} label="Kind" value={r.kind} onChange={(ev) => setRule(i, { kind: ev.target.value as Kind })}>
                    {(Object.keys(KIND_LABELS) as Kind[]).map((k) => (
                      <option key={k} value={k}>
                        {KIND_LABELS[k]}
                      </option>
                    ))}
                  </Select>
                  <Select id={`${p}-field`} label="Field" value={r.field} onChange={(ev) => setRule(i, { field: ev.target.value })}>
                    {r.kind === "expression" && <option value="">(none — the expression names fields)</option>}
                    {fieldPaths.map((f) => (
                      <option key={f} value={f}>
                        {f}
                      </option>
                    ))}
                  </Select>
                  <div className="flex items-end">
                    <Button variant="ghost" size="sm" onClick={() => setRules((rs) => rs.filter((_, j) => j !== i))} aria-label={`Remove rule ${r.id}`}>
                      Remove
                    </Button>
                  </div>
                </div>
                <div className="mt-3 grid gap-3 sm:grid-cols-2">
                  {r.kind === "range" && (
                    <>
                      <Input id={`${p}-min`} label="Minimum" inputMode="decimal" value={r.min} onChange={(ev) => setRule(i, { min: ev.target.value })} />
                      <Input id={`${p}-max`} label="Maximum" inputMode="decimal" value={r.max} onChange={(ev) => setRule(i, { max: ev.target.value })} />
                    </>
                  )}
                  {r.kind === "pattern" && <Input id={`${p}-pattern`} label="Regular expression" className="font-mono" value={r.pattern} onChange={(ev) => setRule(i, { pattern: ev.target.value })} />}
                  {r.kind === "enum" && <Input id={`${p}-values`} label="Allowed values" hint="Comma separated" value={r.values} onChange={(ev) => setRule(i, { values: ev.target.value })} />}
                  {r.kind === "max_age" && <Input id={`${p}-seconds`} label="Max age (seconds)" inputMode="numeric" value={r.seconds} onChange={(ev) => setRule(i, { seconds: ev.target.value })} />}
                  {r.kind === "expression" && (
                    <Input id={`${p}-expression`} label="Expression" className="font-mono" value={r.expression} onChange={(ev) => setRule(i, { expression: ev.target.value })} hint="e.g. rsrp >= -140 && has(cell.id)" wrapperClassName="sm:col-span-2" />
                  )}
                </div>
                {e && (
                  <p role="alert" className="mt-2 text-sm text-red-700">
                    {e.join(" ")}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
        {step.warnings.length > 0 && (
          <Alert tone="warning" title="Warnings">
            <ul className="list-disc pl-5">
              {step.warnings.map((w) => (
                <li key={w.field + w.message}>{w.message}</li>
              ))}
            </ul>
          </Alert>
        )}
      </section>
      <StepActions productId={productId} step="contract" pending={step.pending} onSave={onSave} message={step.message} />
    </div>
  );
}

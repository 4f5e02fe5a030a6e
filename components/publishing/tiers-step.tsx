"use client";

import { useEffect, useState } from "react";
import { Alert, Button, Checkbox, Input, PiiBadge, Select, Spinner } from "@/components/ui";
import { previewMaskingAction } from "@/lib/publishing/actions";
import type { TierData } from "@/lib/publishing/schemas";
import { StepActions } from "./step-actions";
import { errorsFor, useStepSave } from "./use-step-save";

export type TierField = { path: string; type: string; pii: string; container: boolean };
type Rule = { strategy: string } & Record<string, unknown>;
type Tier = { name: string; description: string; fullAccess: boolean; rules: Record<string, Rule> };

const STRATEGIES = ["keep", "drop", "redact", "hash", "partial", "generalize", "tokenize"] as const;
const STRATEGY_LABELS: Record<string, string> = {
  keep: "Keep",
  drop: "Drop",
  redact: "Redact",
  hash: "Hash (keyed)",
  partial: "Partial (keep last N)",
  generalize: "Generalize",
  tokenize: "Tokenize",
};
const GENERALIZE = ["decimals", "bucket", "significant", "truncate", "prefixBits"] as const;

const isText = (t: string) => /string|enum/.test(t);
const isNum = (t: string) => /number|integer|int|long|float|double/.test(t);

/** Starting rules for a masked tier: personal text hashed in "partner", every personal field dropped in "public". */
function defaultRules(fields: TierField[], tier: string): Record<string, Rule> {
  const rules: Record<string, Rule> = {};
  for (const f of fields) {
    if (f.pii === "none" || f.container) continue;
    if (tier === "public") rules[f.path] = { strategy: "drop" };
    else if (f.pii === "direct" && (isText(f.type) || isNum(f.type))) rules[f.path] = { strategy: "hash" };
    else if (f.pii === "quasi" && isNum(f.type)) rules[f.path] = { strategy: "generalize", decimals: 2 };
    else rules[f.path] = { strategy: "drop" };
  }
  return rules;
}

export function defaultTiers(fields: TierField[]): Tier[] {
  return [
    { name: "full", description: "Everything in clear, for reviewed plans only.", fullAccess: true, rules: {} },
    { name: "partner", description: "Identifiers hashed, other personal data dropped or generalized.", fullAccess: false, rules: defaultRules(fields, "partner") },
    { name: "public", description: "No personal data at all.", fullAccess: false, rules: defaultRules(fields, "public") },
  ];
}

function RuleEditor({ field, rule, onChange, id, error }: { field: TierField; rule: Rule; onChange: (r: Rule) => void; id: string; error?: string[] }) {
  const strategies = field.container ? (["keep", "drop"] as const) : STRATEGIES;
  const gKind = GENERALIZE.find((k) => rule[k] !== undefined) ?? (isText(field.type) ? "truncate" : "decimals");
  return (
    <div className="flex flex-wrap items-start gap-2">
      <Select
        id={`${id}-strategy`}
        aria-label={`Strategy for ${field.path}`}
        value={rule.strategy}
        error={error}
        onChange={(e) => {
          const s = e.target.value;
          if (s === "partial") onChange({ strategy: s, keepLast: 4 });
          else if (s === "generalize") onChange(isText(field.type) ? { strategy: s, truncate: "hour" } : { strategy: s, decimals: 1 });
          else if (s === "tokenize") onChange({ strategy: s, format: "opaque" });
          else onChange({ strategy: s });
        }}
        wrapperClassName="w-52"
      >
        {strategies.map((s) => (
          <option key={s} value={s}>
            {STRATEGY_LABELS[s]}
          </option>
        ))}
      </Select>
      {rule.strategy === "partial" && (
        <Input id={`${id}-keep`} aria-label={`Characters kept at the end of ${field.path}`} inputMode="numeric" className="w-20" value={String(rule.keepLast ?? "")} onChange={(e) => onChange({ strategy: "partial", keepLast: Number(e.target.value) })} />
      )}
      {rule.strategy === "redact" && (
        <Input id={`${id}-repl`} aria-label={`Replacement text for ${field.path}`} placeholder="[REDACTED]" className="w-36" value={String(rule.replacement ?? "")} onChange={(e) => onChange(e.target.value ? { strategy: "redact", replacement: e.target.value } : { strategy: "redact" })} />
      )}
      {rule.strategy === "tokenize" && (
        <Select id={`${id}-fmt`} aria-label={`Token format for ${field.path}`} value={String(rule.format ?? "opaque")} onChange={(e) => onChange({ strategy: "tokenize", format: e.target.value })} wrapperClassName="w-40">
          <option value="opaque">Opaque token</option>
          <option value="preserve">Format-preserving</option>
        </Select>
      )}
      {rule.strategy === "generalize" && (
        <>
          <Select
            id={`${id}-gkind`}
            aria-label={`Generalization of ${field.path}`}
            value={gKind}
            onChange={(e) => {
              const k = e.target.value;
              onChange(k === "truncate" ? { strategy: "generalize", truncate: "hour" } : { strategy: "generalize", [k]: k === "prefixBits" ? 24 : 1 });
            }}
            wrapperClassName="w-44"
          >
            <option value="decimals">Round to decimals</option>
            <option value="bucket">Bucket (multiple of)</option>
            <option value="significant">Significant digits</option>
            <option value="truncate">Truncate time</option>
            <option value="prefixBits">IPv4 prefix bits</option>
          </Select>
          {gKind === "truncate" ? (
            <Select id={`${id}-gval`} aria-label={`Truncate ${field.path} to`} value={String(rule.truncate)} onChange={(e) => onChange({ strategy: "generalize", truncate: e.target.value })} wrapperClassName="w-32">
              {["minute", "hour", "day", "month", "year"].map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </Select>
          ) : (
            <Input id={`${id}-gval`} aria-label={`${gKind} for ${field.path}`} inputMode="decimal" className="w-20" value={String(rule[gKind] ?? "")} onChange={(e) => onChange({ strategy: "generalize", [gKind]: Number(e.target.value) })} />
          )}
        </>
      )}
    </div>
  );
}

type Preview = { records: { original: unknown; masked: unknown; reason: string | null }[] } | { error: string; fieldErrors: Record<string, string[]> };

/** Per tier and field a masking strategy, with a live preview of sampled records masked by the product's own key. */
export function TiersStep({ productId, fields, initial, hasSamples }: { productId: string; fields: TierField[]; initial: TierData[] | null; hasSamples: boolean }) {
  const step = useStepSave(productId, "tiers");
  const [tiers, setTiers] = useState<Tier[]>(() => (initial as Tier[] | null) ?? defaultTiers(fields));
  const [active, setActive] = useState(tiers.findIndex((t) => !t.fullAccess) >= 0 ? tiers.findIndex((t) => !t.fullAccess) : 0);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const tier = tiers[Math.min(active, tiers.length - 1)];

  useEffect(() => {
    if (!tier || !hasSamples) return;
    let cancelled = false;
    const timer = setTimeout(async () => {
      setPreviewing(true);
      const res = await previewMaskingAction({ productId, tier });
      if (cancelled) return;
      setPreviewing(false);
      if (!res.ok) setPreview({ error: res.error.message, fieldErrors: res.error.fieldErrors ?? {} });
      else if (!res.data.ok) setPreview({ error: res.data.message, fieldErrors: res.data.fieldErrors });
      else setPreview({ records: res.data.records });
    }, 300);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [tier, productId, hasSamples]);

  const updateTier = (patch: Partial<Tier>) => setTiers((ts) => ts.map((t, i) => (i === active ? { ...t, ...patch } : t)));
  const setRule = (path: string, rule: Rule) => {
    const rules = { ...tier.rules };
    if (rule.strategy === "keep") delete rules[path];
    else rules[path] = rule;
    updateTier({ rules });
  };
  const addTier = () => {
    let n = tiers.length + 1;
    while (tiers.some((t) => t.name === `tier-${n}`)) n++;
    setTiers((ts) => [...ts, { name: `tier-${n}`, description: "", fullAccess: false, rules: defaultRules(fields, "public") }]);
    setActive(tiers.length);
  };
  const tierErr = (t: Tier, i: number) => errorsFor(step.errors, `tiers.${t.name}`) ?? errorsFor(step.errors, `tiers.${i}`, true);
  const fieldErr = (path: string) =>
    errorsFor(step.errors, `tiers.${tier.name}.${path}`) ?? (preview && "fieldErrors" in preview ? (preview.fieldErrors[`tiers.${tier.name}.${path}`] ?? undefined) : undefined);
  const tierHasErrors = (t: Tier, i: number) => Object.keys(step.errors).some((k) => k.startsWith(`tiers.${t.name}.`) || k === `tiers.${t.name}` || k.startsWith(`tiers.${i}.`));

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center gap-2" role="tablist" aria-label="Masking tiers">
        {tiers.map((t, i) => (
          <button
            key={i}
            type="button"
            role="tab"
            aria-selected={i === active}
            onClick={() => setActive(i)}
            className={`rounded-md border px-3 py-1.5 text-sm ${i === active ? "border-brand-500 bg-brand-50 font-medium text-brand-900" : "border-slate-200 bg-white text-slate-700 hover:border-brand-500"} ${tierHasErrors(t, i) ? "ring-2 ring-red-300" : ""}`}
          >
            {t.name}
            {t.fullAccess ? " · full access" : ""}
          </button>
        ))}
        <Button variant="ghost" size="sm" onClick={addTier} disabled={tiers.length >= 10}>
          + Add tier
        </Button>
      </div>
      {errorsFor(step.errors, "tiers") && <Alert tone="error">{errorsFor(step.errors, "tiers")!.join(" ")}</Alert>}

      {tier && (
        <div role="tabpanel" aria-label={`Tier ${tier.name}`} className="space-y-4">
          <div className="grid gap-4 sm:grid-cols-[12rem_1fr_auto]">
            <Input id="tier-name" label="Tier name" value={tier.name} onChange={(e) => updateTier({ name: e.target.value })} error={tierErr(tier, active)} />
            <Input id="tier-description" label="Description" value={tier.description} onChange={(e) => updateTier({ description: e.target.value })} />
            <div className="flex items-end gap-3 pb-2">
              <Checkbox id="tier-full" label="Full access (personal data in clear)" checked={tier.fullAccess} onChange={(e) => updateTier({ fullAccess: e.target.checked })} />
              {tiers.length > 1 && (
                <Button
                  variant="ghost"
                  size="sm"
                  onClick={() => {
                    setTiers((ts) => ts.filter((_, i) => i !== active));
                    setActive(0);
                  }}
                >
                  Remove tier
                </Button>
              )}
            </div>
          </div>
          {tier.fullAccess && <Alert tone="warning">A full-access tier keeps personal data in clear; the publish checks only allow it on plans with owner review.</Alert>}

          <div className="grid gap-4 lg:grid-cols-2">
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
              <table className="min-w-full text-sm">
                <caption className="sr-only">Masking rules of tier {tier.name}</caption>
                <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                  <tr>
                    <th scope="col" className="px-3 py-2">Field</th>
                    <th scope="col" className="px-3 py-2">Strategy</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {fields.map((f, i) => (
                    <tr key={f.path} className="align-top">
                      <th scope="row" className="px-3 py-2 text-left font-normal">
                        <span className="font-mono text-xs">{f.path}</span>
                        <span className="mt-1 flex gap-1 text-xs text-slate-500">
                          {f.type} <PiiBadge kind={f.pii} compact />
                        </span>
                      </th>
                      <td className="px-3 py-2">
                        <RuleEditor id={`rule-${active}-${i}`} field={f} rule={tier.rules[f.path] ?? { strategy: "keep" }} onChange={(r) => setRule(f.path, r)} error={fieldErr(f.path)} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>

            <section aria-labelledby="preview-heading" aria-live="polite" className="self-start rounded-lg border border-slate-200 bg-white lg:sticky lg:top-4">
              <header className="flex items-center justify-between border-b border-slate-100 px-4 py-3">
                <h2 id="preview-heading" className="text-sm font-semibold text-slate-900">
                  Live preview: {tier.name}
                </h2>
                {previewing && <Spinner />}
              </header>
              <div className="space-y-3 p-4">
                {!hasSamples ? (
                  <p className="text-sm text-slate-600">No sampled messages to preview; sample the source topic first.</p>
                ) : !preview ? (
                  <p className="text-sm text-slate-600">Masking the sampled records…</p>
                ) : "error" in preview ? (
                  <Alert tone="error" title="The preview cannot run">
                    {preview.error}
                    <ul className="mt-1 list-disc pl-5">
                      {Object.entries(preview.fieldErrors).slice(0, 6).map(([k, v]) => (
                        <li key={k}>{v.join(" ")}</li>
                      ))}
                    </ul>
                  </Alert>
                ) : (
                  preview.records.slice(0, 3).map((r, i) => (
                    <div key={i} className="grid gap-2 sm:grid-cols-2" data-testid="preview-record">
                      <div>
                        <p className="text-xs font-medium text-slate-500">Original (owners only)</p>
                        <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-50 p-2 font-mono text-[11px] leading-snug text-slate-800">{JSON.stringify(r.original, null, 2)}</pre>
                      </div>
                      <div>
                        <p className="text-xs font-medium text-slate-500">As tier {tier.name} delivers it</p>
                        {r.reason ? (
                          <p className="mt-1 rounded bg-red-50 p-2 text-xs text-red-800">Cannot mask: {r.reason}</p>
                        ) : (
                          <pre data-testid="masked-record" className="mt-1 max-h-64 overflow-auto rounded bg-emerald-50 p-2 font-mono text-[11px] leading-snug text-slate-800">
                            {JSON.stringify(r.masked, null, 2)}
                          </pre>
                        )}
                      </div>
                    </div>
                  ))
                )}
              </div>
            </section>
          </div>
        </div>
      )}
      <StepActions productId={productId} step="tiers" pending={step.pending} onSave={(advance) => step.save({ tiers }, advance)} message={step.message} />
    </div>
  );
}

"use client";

import { useEffect, useState } from "react";
import { Alert, Input, PiiBadge, Select, Spinner } from "@/components/ui";
import type { ActionResult } from "@/lib/errors";
import type { MaskingPreview as PreviewResult } from "@/lib/publishing/service";

/**
 * The masking editor shared by the publish wizard's tiers step and the product management page:
 * one strategy per field, and a live preview of sampled records masked by the product's own key
 * (the server masks; `run` is the page's preview action), side by side with the originals.
 */

export type TierField = { path: string; type: string; pii: string; container: boolean };
export type Rule = { strategy: string } & Record<string, unknown>;
export type Tier = { name: string; description: string; fullAccess: boolean; rules: Record<string, Rule> };

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
export function defaultRules(fields: TierField[], tier: string): Record<string, Rule> {
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

export function RuleEditor({ field, rule, onChange, id, error }: { field: TierField; rule: Rule; onChange: (r: Rule) => void; id: string; error?: string[] }) {
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

export type Preview = { records: { original: unknown; masked: unknown; reason: string | null }[] } | { error: string; fieldErrors: Record<string, string[]> };

/** Debounced live preview of `tier`: re-runs 300 ms after the last edit. */
export function useMaskingPreview(tier: Tier | undefined, enabled: boolean, run: (tier: Tier) => Promise<ActionResult<PreviewResult>>) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  useEffect(() => {
    if (!tier || !enabled) return;
    let cancelled = false;
    const timer = setTimeout(async () => {
      setPreviewing(true);
      const res = await run(tier);
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
  }, [tier, enabled, run]);
  return { preview, previewing };
}

/** Field errors of a preview for one field key, when the preview refused the rules. */
export function previewFieldError(preview: Preview | null, key: string): string[] | undefined {
  return preview && "fieldErrors" in preview ? (preview.fieldErrors[key] ?? undefined) : undefined;
}

/** One tier's rules: a row per field with its type, PII tag and strategy. */
export function RulesTable({
  tier,
  fields,
  idPrefix,
  onRule,
  fieldError,
}: {
  tier: Tier;
  fields: (TierField & { olderOnly?: boolean })[];
  idPrefix: string;
  onRule: (path: string, rule: Rule) => void;
  fieldError: (path: string) => string[] | undefined;
}) {
  return (
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
                  {f.olderOnly && <span title="Only an older major that still serves has this field">older major</span>}
                </span>
              </th>
              <td className="px-3 py-2">
                <RuleEditor id={`rule-${idPrefix}-${i}`} field={f} rule={tier.rules[f.path] ?? { strategy: "keep" }} onChange={(r) => onRule(f.path, r)} error={fieldError(f.path)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The side-by-side preview of one tier. */
export function MaskingPreviewPanel({ tier, hasSamples, preview, previewing, noSamples }: { tier: Tier; hasSamples: boolean; preview: Preview | null; previewing: boolean; noSamples: string }) {
  return (
    <section aria-labelledby="preview-heading" aria-live="polite" className="self-start rounded-lg border border-slate-200 bg-white lg:sticky lg:top-4">
      <header className="flex items-center justify-between border-b border-slate-100 px-4 py-3">
        <h2 id="preview-heading" className="text-sm font-semibold text-slate-900">
          Live preview: {tier.name}
        </h2>
        {previewing && <Spinner />}
      </header>
      <div className="space-y-3 p-4">
        {!hasSamples ? (
          <p className="text-sm text-slate-600">{noSamples}</p>
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
        ) : preview.records.length === 0 ? (
          <p className="text-sm text-slate-600">No JSON records to preview.</p>
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
  );
}

"use client";

import { useCallback, useState } from "react";
import { Alert, Button, Checkbox, Input } from "@/components/ui";
import { previewMaskingAction } from "@/lib/publishing/actions";
import type { TierData } from "@/lib/publishing/schemas";
import { defaultRules, defaultTiers, MaskingPreviewPanel, previewFieldError, RulesTable, useMaskingPreview, type Rule, type Tier, type TierField } from "./masking-rules";
import { StepActions } from "./step-actions";
import { errorsFor, useStepSave } from "./use-step-save";

/** Per tier and field a masking strategy, with a live preview of sampled records masked by the product's own key. */
export function TiersStep({ productId, fields, initial, hasSamples }: { productId: string; fields: TierField[]; initial: TierData[] | null; hasSamples: boolean }) {
  const step = useStepSave(productId, "tiers");
  const [tiers, setTiers] = useState<Tier[]>(() => (initial as Tier[] | null) ?? defaultTiers(fields));
  const [active, setActive] = useState(tiers.findIndex((t) => !t.fullAccess) >= 0 ? tiers.findIndex((t) => !t.fullAccess) : 0);
  const tier = tiers[Math.min(active, tiers.length - 1)];
  const runPreview = useCallback((t: Tier) => previewMaskingAction({ productId, tier: t }), [productId]);
  const { preview, previewing } = useMaskingPreview(tier, hasSamples, runPreview);

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
  const fieldErr = (path: string) => errorsFor(step.errors, `tiers.${tier.name}.${path}`) ?? previewFieldError(preview, `tiers.${tier.name}.${path}`);
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
            <RulesTable tier={tier} fields={fields} idPrefix={String(active)} onRule={setRule} fieldError={fieldErr} />
            <MaskingPreviewPanel tier={tier} hasSamples={hasSamples} preview={preview} previewing={previewing} noSamples="No sampled messages to preview; sample the source topic first." />
          </div>
        </div>
      )}
      <StepActions productId={productId} step="tiers" pending={step.pending} onSave={(advance) => step.save({ tiers }, advance)} message={step.message} />
    </div>
  );
}

"use client";

import { useRouter } from "next/navigation";
import { useCallback, useState, useTransition } from "react";
import { defaultRules, MaskingPreviewPanel, previewFieldError, RulesTable, useMaskingPreview, type Rule, type Tier } from "@/components/publishing/masking-rules";
import { Alert, Badge, Button, Checkbox, Input } from "@/components/ui";
import { createTierAction, previewTierAction, updateTierAction } from "@/lib/versions/actions";
import type { OfferTier, OfferTierField } from "@/lib/versions/offer";

type Errors = Record<string, string[]>;
type Message = { tone: "success" | "error" | "warning"; text: string; details?: string[] };

const NEW = "__new__";

/**
 * A published product's masking tiers: per-field rules with the wizard's editor and live preview
 * (recent source records, masked server-side with the product's key). A tier's name and
 * full-access flag are fixed once it exists (the name is in its delivery topic); a new tier may
 * be added. Every save runs the publish checks on the whole offer.
 */
export function TiersEditor({
  productId,
  tiers: initial,
  fields,
  editable,
  canAdd,
  hasSource,
}: {
  productId: string;
  tiers: OfferTier[];
  fields: OfferTierField[];
  editable: boolean;
  canAdd: boolean;
  hasSource: boolean;
}) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [drafts, setDrafts] = useState<Record<string, Tier>>(() => Object.fromEntries(initial.map((t) => [t.id, { name: t.name, description: t.description, fullAccess: t.fullAccess, rules: t.rules as Record<string, Rule> }])));
  const [newTier, setNewTier] = useState<Tier>(() => ({ name: "", description: "", fullAccess: false, rules: defaultRules(fields, "public") }));
  const [active, setActive] = useState<string>(initial.find((t) => !t.fullAccess)?.id ?? initial[0]?.id ?? NEW);
  const [errors, setErrors] = useState<Errors>({});
  const [message, setMessage] = useState<Message | null>(null);
  const isNew = active === NEW;
  const tier = isNew ? newTier : drafts[active];
  const runPreview = useCallback((t: Tier) => previewTierAction({ productId, tier: t }), [productId]);
  const { preview, previewing } = useMaskingPreview(tier && tier.name ? tier : undefined, hasSource, runPreview);

  const update = (patch: Partial<Tier>) => {
    if (isNew) setNewTier((t) => ({ ...t, ...patch }));
    else setDrafts((d) => ({ ...d, [active]: { ...d[active]!, ...patch } }));
  };
  const setRule = (path: string, rule: Rule) => {
    const rules = { ...tier!.rules };
    if (rule.strategy === "keep") delete rules[path];
    else rules[path] = rule;
    update({ rules });
  };
  const fieldErr = (path: string) => errors[`tiers.${tier!.name}.${path}`] ?? previewFieldError(preview, `tiers.${tier!.name}.${path}`);

  function save() {
    if (!tier) return;
    setErrors({});
    setMessage(null);
    start(async () => {
      const res = isNew
        ? await createTierAction({ productId, name: tier.name, description: tier.description, fullAccess: tier.fullAccess, rules: tier.rules })
        : await updateTierAction({ productId, tierId: active, description: tier.description, rules: tier.rules });
      if (!res.ok) {
        setErrors(res.error.fieldErrors ?? {});
        setMessage({ tone: "error", text: res.error.message, details: res.error.fieldErrors?._form });
        return;
      }
      const text = !res.data.changed
        ? "Nothing changed."
        : isNew
          ? `Tier ${tier.name} was added; the router creates its delivery topic at its next refresh. Add a plan to offer it.`
          : `Tier ${tier.name} was saved; the router applies the new rules at its next refresh.`;
      setMessage({ tone: res.data.warnings.length ? "warning" : "success", text, details: res.data.warnings });
      if (isNew) {
        setNewTier({ name: "", description: "", fullAccess: false, rules: defaultRules(fields, "public") });
        setActive(res.data.id);
        setDrafts((d) => ({ ...d, [res.data.id]: tier }));
      }
      router.refresh();
    });
  }

  if (!editable) {
    return <p className="text-sm text-slate-600">The tiers of this product can no longer change.</p>;
  }
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-2" role="tablist" aria-label="Masking tiers">
        {initial.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={active === t.id}
            onClick={() => {
              setActive(t.id);
              setErrors({});
            }}
            className={`rounded-md border px-3 py-1.5 text-sm ${active === t.id ? "border-brand-500 bg-brand-50 font-medium text-brand-900" : "border-slate-200 bg-white text-slate-700 hover:border-brand-500"}`}
          >
            {t.name}
            {t.fullAccess ? " · full access" : ""}
          </button>
        ))}
        {canAdd && initial.length < 10 && (
          <button
            type="button"
            role="tab"
            aria-selected={isNew}
            onClick={() => {
              setActive(NEW);
              setErrors({});
            }}
            className={`rounded-md border border-dashed px-3 py-1.5 text-sm ${isNew ? "border-brand-500 bg-brand-50 font-medium text-brand-900" : "border-slate-300 text-slate-700 hover:border-brand-500"}`}
          >
            + New tier
          </button>
        )}
      </div>

      {message && (
        <Alert tone={message.tone} title={message.tone === "error" ? "Not saved" : undefined}>
          {message.text}
          {message.details && message.details.length > 0 && (
            <ul className="mt-1 list-disc pl-5">
              {message.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
        </Alert>
      )}

      {tier && (
        <div role="tabpanel" aria-label={isNew ? "New tier" : `Tier ${tier.name}`} className="space-y-4">
          <div className="grid gap-4 sm:grid-cols-[12rem_1fr_auto]">
            {isNew ? (
              <Input id="new-tier-name" label="Tier name" value={tier.name} onChange={(e) => update({ name: e.target.value.toLowerCase() })} error={errors.name ?? errors[`tiers.${tier.name}`]} hint="Part of the delivery topic: fixed once created." />
            ) : (
              <div>
                <p className="text-sm font-medium text-slate-700">Tier name</p>
                <p className="mt-2 font-mono text-sm">{tier.name}</p>
                {errors[`tiers.${tier.name}`] && (
                  <p role="alert" className="mt-1 text-sm text-red-700">
                    {errors[`tiers.${tier.name}`]!.join(" ")}
                  </p>
                )}
              </div>
            )}
            <Input id={`tier-${active}-description`} label="Description" value={tier.description} onChange={(e) => update({ description: e.target.value })} error={errors.description} />
            <div className="flex items-end pb-2">
              {isNew ? (
                <Checkbox id="new-tier-full" label="Full access (personal data in clear)" checked={tier.fullAccess} onChange={(e) => update({ fullAccess: e.target.checked })} />
              ) : tier.fullAccess ? (
                <Badge tone="orange">Full access</Badge>
              ) : (
                <Badge tone="green">Masked</Badge>
              )}
            </div>
          </div>
          {tier.fullAccess && <Alert tone="warning">A full-access tier keeps personal data in clear: it is only sold on plans with owner review.</Alert>}
          <div className="grid gap-4 lg:grid-cols-2">
            <RulesTable tier={tier} fields={fields} idPrefix={isNew ? "new" : active.slice(0, 8)} onRule={setRule} fieldError={fieldErr} />
            <MaskingPreviewPanel
              tier={tier.name ? tier : { ...tier, name: "new tier" }}
              hasSamples={hasSource && Boolean(tier.name)}
              preview={preview}
              previewing={previewing}
              noSamples={hasSource ? "Name the tier to preview it." : "This product has no source topic to preview."}
            />
          </div>
          <div className="flex justify-end">
            <Button onClick={save} loading={pending}>
              {isNew ? "Create tier" : `Save tier ${tier.name}`}
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}

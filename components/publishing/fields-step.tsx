"use client";

import { useState } from "react";
import { Alert, Badge, Input, PiiBadge, Select } from "@/components/ui";
import type { FieldRow } from "@/lib/publishing/service";
import { PII_CATEGORIES } from "@/lib/publishing/schemas";
import { StepActions } from "./step-actions";
import { errorsFor, useStepSave } from "./use-step-save";

const PII_LABELS: Record<(typeof PII_CATEGORIES)[number], string> = {
  direct: "Direct identifier",
  quasi: "Quasi-identifier",
  sensitive: "Sensitive",
  none: "Not personal",
};

/** Description and PII category per field, prefilled with suggestions from names and sampled values. */
export function FieldsStep({ productId, rows, saved }: { productId: string; rows: FieldRow[]; saved: boolean }) {
  const step = useStepSave(productId, "fields");
  const [docs, setDocs] = useState(() => rows.map((r) => ({ path: r.path, description: r.description, pii: r.pii })));
  const update = (i: number, patch: Partial<(typeof docs)[number]>) => setDocs((d) => d.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const pii = docs.filter((d) => d.pii !== "none").length;

  return (
    <div className="space-y-4">
      {!saved && (
        <Alert tone="info" title="Suggested PII tags">
          Categories are suggested from field names and sampled values. Check each one: masking rules are required for every personal field.
        </Alert>
      )}
      <p className="text-sm text-slate-600">
        {rows.length} fields · {pii} tagged as personal data
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full text-sm">
          <caption className="sr-only">Fields of the schema</caption>
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-3 py-2">Field</th>
              <th scope="col" className="px-3 py-2">Examples</th>
              <th scope="col" className="px-3 py-2">Description</th>
              <th scope="col" className="px-3 py-2">PII category</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((r, i) => {
              const id = `field-${i}`;
              const e = errorsFor(step.errors, `fields.${r.path}`) ?? errorsFor(step.errors, `fields.fields.${i}`, true);
              return (
                <tr key={r.path} className="align-top">
                  <th scope="row" className="px-3 py-2 text-left font-normal">
                    <span className="font-mono text-xs text-slate-900">{r.path}</span>
                    <span className="mt-1 flex flex-wrap gap-1">
                      <Badge>{r.type}{r.format ? ` · ${r.format}` : ""}</Badge>
                      {r.required && <Badge tone="brand">required</Badge>}
                      <PiiBadge kind={docs[i].pii} compact />
                    </span>
                  </th>
                  <td className="max-w-48 px-3 py-2 font-mono text-xs text-slate-600">
                    {r.examples.length ? r.examples.map((x) => <div key={x} className="truncate">{x}</div>) : <span className="text-slate-400">—</span>}
                  </td>
                  <td className="px-3 py-2">
                    <Input id={`${id}-description`} aria-label={`Description of ${r.path}`} value={docs[i].description} onChange={(ev) => update(i, { description: ev.target.value })} error={e} />
                  </td>
                  <td className="px-3 py-2">
                    <Select
                      id={`${id}-pii`}
                      aria-label={`PII category of ${r.path}`}
                      value={docs[i].pii}
                      onChange={(ev) => update(i, { pii: ev.target.value as (typeof PII_CATEGORIES)[number] })}
                      hint={r.suggestion && r.suggestion !== "" ? `Suggested: ${r.suggestion}` : undefined}
                      wrapperClassName="min-w-48"
                    >
                      {PII_CATEGORIES.map((c) => (
                        <option key={c} value={c}>
                          {PII_LABELS[c]}
                        </option>
                      ))}
                    </Select>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <StepActions productId={productId} step="fields" pending={step.pending} onSave={(advance) => step.save({ fields: docs }, advance)} message={step.message} />
    </div>
  );
}

"use client";

import { useState } from "react";
import { Alert, Button, Checkbox, Input, Select } from "@/components/ui";
import { rotateMaskingKeysAction, setExternalExpiryAction } from "@/lib/admin/actions";
import type { FieldErrors } from "@/lib/errors";
import { FormStatus } from "./form-status";
import { useActionForm } from "./use-action-form";

export function ExternalExpiryForm({ days }: { days: number | null }) {
  const [noDefault, setNoDefault] = useState(days === null);
  const f = useActionForm(setExternalExpiryAction, { success: (d) => (d.days === null ? "External access has no default expiry now." : `External access now expires after ${d.days} days by default.`) });
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label="Default expiry for external access" className="space-y-4">
      <Input
        id="external-days"
        name="days"
        type="number"
        min={1}
        max={3650}
        label="Days until external access expires"
        hint="Used when an owner approves an external organization's request without choosing an expiry."
        defaultValue={days ?? 90}
        disabled={noDefault}
        error={f.fieldErrors.days}
        wrapperClassName="max-w-xs"
      />
      <Checkbox id="external-none" name="noDefault" label="No default expiry" checked={noDefault} onChange={(e) => setNoDefault(e.target.checked)} />
      <FormStatus error={f.formError} message={f.message} />
      <Button type="submit" loading={f.pending}>
        Save
      </Button>
    </form>
  );
}

type Product = { id: string; name: string; slug: string; maskingKeyVersion: number };

/**
 * Rotation breaks joins on hashed and tokenized fields across the change, so it asks for a typed
 * confirmation in a dialog (native <dialog>: focus is trapped and Escape closes it).
 */
export function MaskingKeyRotation({ products }: { products: Product[] }) {
  const [scope, setScope] = useState<"product" | "all">("product");
  const [productId, setProductId] = useState(products[0]?.id ?? "");
  const [confirm, setConfirm] = useState("");
  const [pending, setPending] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [result, setResult] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [open, setOpen] = useState(false);
  const product = products.find((p) => p.id === productId);
  const what = scope === "all" ? `all ${products.length} products` : (product?.name ?? "the product");

  async function rotate() {
    setPending(true);
    const r = await rotateMaskingKeysAction({ scope, productId: scope === "product" ? productId : undefined, confirm: confirm as "rotate" });
    setPending(false);
    if (!r.ok) {
      setFieldErrors(r.error.fieldErrors ?? {});
      if (!r.error.fieldErrors?.confirm) {
        setOpen(false);
        setResult({ tone: "error", text: r.error.message });
      }
      return;
    }
    setFieldErrors({});
    setOpen(false);
    setConfirm("");
    const list = r.data.rotated.map((x) => `${x.slug} v${x.from}→v${x.to}`).join(", ");
    setResult({ tone: "success", text: `Rotated ${r.data.rotated.length} key${r.data.rotated.length === 1 ? "" : "s"}: ${list}.` });
  }

  return (
    <div className="space-y-4">
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-700">Rotate the key of</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="scope" value="product" checked={scope === "product"} onChange={() => setScope("product")} /> One product
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="scope" value="all" checked={scope === "all"} onChange={() => setScope("all")} /> All products
        </label>
      </fieldset>
      {scope === "product" && (
        <Select id="rotate-product" label="Product" value={productId} onChange={(e) => setProductId(e.target.value)} error={fieldErrors.productId} wrapperClassName="max-w-md">
          {products.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} (key v{p.maskingKeyVersion})
            </option>
          ))}
        </Select>
      )}
      {result && <Alert tone={result.tone}>{result.text}</Alert>}
      <Button variant="danger" onClick={() => setOpen(true)} disabled={scope === "product" && !productId}>
        Rotate masking key…
      </Button>
      {open && (
        <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40 p-4">
          <div role="dialog" aria-modal="true" aria-labelledby="rotate-title" aria-describedby="rotate-desc" className="w-full max-w-md rounded-lg bg-white p-6 shadow-xl">
            <h2 id="rotate-title" className="text-lg font-semibold text-slate-900">
              Rotate the masking key of {what}?
            </h2>
            <p id="rotate-desc" className="mt-2 text-sm text-slate-600">
              Hashed and tokenized fields get new values from now on; consumers can no longer join them with values from before the rotation. This is recorded
              in the audit log.
            </p>
            <form
              className="mt-4 space-y-4"
              onSubmit={(e) => {
                e.preventDefault();
                void rotate();
              }}
              onKeyDown={(e) => {
                if (e.key === "Escape") setOpen(false);
              }}
            >
              <Input id="rotate-confirm" label='Type "rotate" to confirm' value={confirm} onChange={(e) => setConfirm(e.target.value)} autoFocus autoComplete="off" error={fieldErrors.confirm} />
              <div className="flex justify-end gap-2">
                <Button variant="secondary" onClick={() => setOpen(false)} disabled={pending}>
                  Cancel
                </Button>
                <Button type="submit" variant="danger" loading={pending} disabled={confirm !== "rotate"}>
                  Rotate key
                </Button>
              </div>
            </form>
          </div>
        </div>
      )}
    </div>
  );
}

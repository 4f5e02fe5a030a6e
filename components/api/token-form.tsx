"use client";

import { useState, type FormEvent } from "react";
import { Alert, Button, Checkbox, Input, Select } from "@/components/ui";
import { createApiTokenAction } from "@/lib/api/actions";
import type { FieldErrors } from "@/lib/errors";

type Scope = { key: string; description: string; disabled?: boolean };

export function TokenForm({ scopes, teams }: { scopes: Scope[]; teams: { id: string; name: string }[] }) {
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ token: string; expiresAt: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    setPending(true);
    setCreated(null);
    setCopied(false);
    const result = await createApiTokenAction(new FormData(formEl));
    setPending(false);
    if (!result.ok) {
      setFieldErrors(result.error.fieldErrors ?? {});
      setFormError(result.error.message);
      return;
    }
    setFieldErrors({});
    setFormError(null);
    setCreated({ token: result.data.token, expiresAt: result.data.expiresAt });
    formEl.reset();
  }

  return (
    <div className="space-y-4">
      {created && (
        <Alert tone="success" title="Token created: copy it now">
          <p>This is the only time the token is shown. Tributary keeps only a hash of it.</p>
          <div className="mt-2 flex items-center gap-2">
            <input
              readOnly
              aria-label="New API token"
              value={created.token}
              onFocus={(e) => e.currentTarget.select()}
              className="block w-full rounded-md border border-emerald-300 bg-white px-2 py-1 font-mono text-xs text-slate-900"
            />
            <Button
              size="sm"
              variant="secondary"
              onClick={async () => {
                await navigator.clipboard?.writeText(created.token).catch(() => {});
                setCopied(true);
              }}
            >
              {copied ? "Copied" : "Copy"}
            </Button>
          </div>
          <p className="mt-2 text-xs">
            Expires {new Date(created.expiresAt).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" })}. Use it as{" "}
            <code className="font-mono">Authorization: Bearer &lt;token&gt;</code>.
          </p>
        </Alert>
      )}
      {formError && !created && <Alert tone="error">{formError}</Alert>}
      <form onSubmit={onSubmit} noValidate className="grid gap-4 sm:grid-cols-2">
        <Input name="name" label="Name" placeholder="e.g. CI pipeline" required error={fieldErrors.name} autoComplete="off" />
        <Input name="expiresInDays" label="Expires after (days)" type="number" min={1} max={365} defaultValue={90} required error={fieldErrors.expiresInDays} />
        <Select name="teamId" label="Acts for" defaultValue="" error={fieldErrors.teamId} wrapperClassName="sm:col-span-2">
          <option value="">Me (personal token)</option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              Team {t.name} (team token)
            </option>
          ))}
        </Select>
        <fieldset className="space-y-2 sm:col-span-2" aria-describedby={fieldErrors.scopes ? "scopes-error" : undefined}>
          <legend className="text-sm font-medium text-slate-700">Scopes</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {scopes.map((s) => (
              <Checkbox key={s.key} name="scopes" value={s.key} id={`scope-${s.key}`} disabled={s.disabled} label={`${s.key}: ${s.description}`} />
            ))}
          </div>
          {fieldErrors.scopes && (
            <p id="scopes-error" role="alert" className="text-sm text-red-700">
              {fieldErrors.scopes.join(" ")}
            </p>
          )}
        </fieldset>
        <div className="sm:col-span-2">
          <Button type="submit" loading={pending}>
            Create token
          </Button>
        </div>
      </form>
    </div>
  );
}

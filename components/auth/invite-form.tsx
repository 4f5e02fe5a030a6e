"use client";

import { useMemo, useState, type FormEvent } from "react";
import { Alert, Button, Checkbox, Input, Select } from "@/components/ui";
import { inviteUserAction } from "@/lib/auth/actions";
import type { FieldErrors } from "@/lib/errors";

type Org = { id: string; name: string; kind: "internal" | "external"; teams: { id: string; name: string }[] };

export function InviteForm({ orgs }: { orgs: Org[] }) {
  const [orgId, setOrgId] = useState(orgs[0]?.id ?? "");
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ email: string; url: string; expiresAt: string; emailed: boolean | null } | null>(null);
  const [copied, setCopied] = useState(false);
  const [pending, setPending] = useState(false);
  const teams = useMemo(() => orgs.find((o) => o.id === orgId)?.teams ?? [], [orgs, orgId]);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    setPending(true);
    setCreated(null);
    setCopied(false);
    const result = await inviteUserAction(new FormData(formEl));
    setPending(false);
    if (!result.ok) {
      setFieldErrors(result.error.fieldErrors ?? {});
      setFormError(result.error.message);
      return;
    }
    setFieldErrors({});
    setFormError(null);
    setCreated({ email: result.data.email, url: new URL(result.data.path, window.location.origin).toString(), expiresAt: result.data.expiresAt, emailed: result.data.emailed });
    formEl.reset();
    setOrgId(orgs[0]?.id ?? "");
  }

  return (
    <div className="space-y-4">
      {created && (
        <Alert tone="success" title={`Invitation created for ${created.email}`}>
          <p>
            {created.emailed === true ? "We e-mailed them this link. " : created.emailed === false ? "The e-mail could not be sent: send them this link yourself. " : "Send this link to them. "}
            It is shown only once and expires {new Date(created.expiresAt).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" })}.
          </p>
          <div className="mt-2 flex items-center gap-2">
            <input
              readOnly
              aria-label="Invitation link"
              value={created.url}
              onFocus={(e) => e.currentTarget.select()}
              className="block w-full rounded-md border border-emerald-300 bg-white px-2 py-1 font-mono text-xs text-slate-900"
            />
            <Button
              size="sm"
              variant="secondary"
              onClick={async () => {
                await navigator.clipboard?.writeText(created.url);
                setCopied(true);
              }}
            >
              {copied ? "Copied" : "Copy"}
            </Button>
          </div>
        </Alert>
      )}
      {formError && !created && <Alert tone="error">{formError}</Alert>}
      <form onSubmit={onSubmit} noValidate className="grid gap-4 sm:grid-cols-2">
        <Input name="email" type="email" label="Email" required error={fieldErrors.email} wrapperClassName="sm:col-span-2" autoComplete="off" />
        <Select name="orgId" label="Organization" value={orgId} onChange={(e) => setOrgId(e.target.value)} error={fieldErrors.orgId}>
          {orgs.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
              {o.kind === "external" ? " (external)" : ""}
            </option>
          ))}
        </Select>
        <Select name="teamId" label="Team" key={orgId} defaultValue="" error={fieldErrors.teamId}>
          <option value="">No team</option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </Select>
        <Select name="teamRole" label="Team role" defaultValue="member" error={fieldErrors.teamRole}>
          <option value="member">Member (consumer)</option>
          <option value="owner">Owner (publishes and approves)</option>
        </Select>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700">Platform roles</legend>
          <Checkbox name="roles" value="finance" id="role-finance" label="Finance" />
          <Checkbox name="roles" value="admin" id="role-admin" label="Admin" />
          {fieldErrors.roles && <p className="text-sm text-red-700">{fieldErrors.roles.join(" ")}</p>}
        </fieldset>
        <div className="sm:col-span-2">
          <Button type="submit" loading={pending}>
            Create invitation link
          </Button>
        </div>
      </form>
    </div>
  );
}

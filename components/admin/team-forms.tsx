"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button, Input, Select } from "@/components/ui";
import { createCostCenterAction, createTeamAction, removeMembershipAction, setMembershipAction, updateCostCenterAction, updateTeamAction } from "@/lib/admin/actions";
import { FormStatus } from "./form-status";
import { useActionForm } from "./use-action-form";

export type OrgOption = { id: string; name: string; kind: "internal" | "external" };
export type CostCenterOption = { id: string; orgId: string; code: string; name: string };

export function CostCenterCreateForm({ orgs }: { orgs: OrgOption[] }) {
  const f = useActionForm(createCostCenterAction, { reset: true, success: () => "Cost center created." });
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label="New cost center" className="grid gap-4 sm:grid-cols-[1fr_10rem_1fr_auto] sm:items-start">
      <Select name="orgId" label="Organization" error={f.fieldErrors.orgId}>
        {orgs.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </Select>
      <Input name="code" label="Code" placeholder="CC-4711" required error={f.fieldErrors.code} />
      <Input name="name" label="Name" placeholder="Network operations" required error={f.fieldErrors.name} />
      <div className="sm:pt-6">
        <Button type="submit" loading={f.pending}>
          Add cost center
        </Button>
      </div>
      <div className="sm:col-span-4">
        <FormStatus error={f.formError} message={f.message} />
      </div>
    </form>
  );
}

export function CostCenterEditForm({ cc }: { cc: CostCenterOption }) {
  const f = useActionForm(updateCostCenterAction, { success: () => "Saved." });
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label={`Edit cost center ${cc.code}`} className="flex flex-wrap items-start gap-2">
      <input type="hidden" name="costCenterId" value={cc.id} />
      <Input id={`cc-code-${cc.id}`} name="code" label="Code" defaultValue={cc.code} error={f.fieldErrors.code} wrapperClassName="w-36" />
      <Input id={`cc-name-${cc.id}`} name="name" label="Name" defaultValue={cc.name} error={f.fieldErrors.name} wrapperClassName="w-56" />
      <div className="pt-6">
        <Button type="submit" size="sm" variant="secondary" loading={f.pending}>
          Save
        </Button>
      </div>
      <div className="w-full">
        <FormStatus error={f.formError} message={f.message} />
      </div>
    </form>
  );
}

function CostCenterSelect({ id, orgId, costCenters, defaultValue, error }: { id: string; orgId: string; costCenters: CostCenterOption[]; defaultValue?: string | null; error?: string[] }) {
  const options = costCenters.filter((c) => c.orgId === orgId);
  return (
    <Select id={id} name="costCenterId" label="Cost center" defaultValue={defaultValue ?? ""} error={error} hint={options.length === 0 ? "This organization has no cost centers yet." : undefined}>
      <option value="">None</option>
      {options.map((c) => (
        <option key={c.id} value={c.id}>
          {c.code} — {c.name}
        </option>
      ))}
    </Select>
  );
}

export function TeamCreateForm({ orgs, costCenters }: { orgs: OrgOption[]; costCenters: CostCenterOption[] }) {
  const [orgId, setOrgId] = useState(orgs[0]?.id ?? "");
  const f = useActionForm(createTeamAction, { reset: true, success: () => "Team created." });
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label="New team" className="grid gap-4 sm:grid-cols-2">
      <Select name="orgId" id="team-org" label="Organization" value={orgId} onChange={(e) => setOrgId(e.target.value)} error={f.fieldErrors.orgId}>
        {orgs.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
            {o.kind === "external" ? " (external)" : ""}
          </option>
        ))}
      </Select>
      <Input name="name" id="team-name" label="Team name" required error={f.fieldErrors.name} />
      <Input name="slug" id="team-slug" label="Slug" hint="Optional; made from the name when empty." error={f.fieldErrors.slug} />
      <CostCenterSelect key={orgId} id="team-cc" orgId={orgId} costCenters={costCenters} error={f.fieldErrors.costCenterId} />
      <Input name="contactEmail" id="team-contact" type="email" label="Contact email" error={f.fieldErrors.contactEmail} />
      <div className="sm:col-span-2 space-y-3">
        <FormStatus error={f.formError} message={f.message} />
        <Button type="submit" loading={f.pending}>
          Create team
        </Button>
      </div>
    </form>
  );
}

export function TeamEditForm({
  team,
  costCenters,
}: {
  team: { id: string; orgId: string; name: string; costCenterId: string | null; contactEmail: string | null };
  costCenters: CostCenterOption[];
}) {
  const f = useActionForm(updateTeamAction, { success: () => "Team saved." });
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label={`Edit team ${team.name}`} className="grid gap-4 sm:grid-cols-3">
      <input type="hidden" name="teamId" value={team.id} />
      <Input id={`team-name-${team.id}`} name="name" label="Team name" defaultValue={team.name} error={f.fieldErrors.name} />
      <CostCenterSelect id={`team-cc-${team.id}`} orgId={team.orgId} costCenters={costCenters} defaultValue={team.costCenterId} error={f.fieldErrors.costCenterId} />
      <Input id={`team-contact-${team.id}`} name="contactEmail" type="email" label="Contact email" defaultValue={team.contactEmail ?? ""} error={f.fieldErrors.contactEmail} />
      <div className="sm:col-span-3 flex flex-wrap items-center gap-3">
        <Button type="submit" size="sm" variant="secondary" loading={f.pending}>
          Save team
        </Button>
        <FormStatus error={f.formError} message={f.message} />
      </div>
    </form>
  );
}

export function AddMemberForm({ teamId, teamName }: { teamId: string; teamName: string }) {
  const f = useActionForm(setMembershipAction, { reset: true, success: () => "Member added." });
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label={`Add a member to ${teamName}`} className="flex flex-wrap items-start gap-3">
      <input type="hidden" name="teamId" value={teamId} />
      <Input id={`member-email-${teamId}`} name="email" type="email" label="Email of a user" error={f.fieldErrors.email} wrapperClassName="min-w-48 flex-1" autoComplete="off" />
      <Select id={`member-role-${teamId}`} name="role" label="Team role" defaultValue="member" error={f.fieldErrors.role} wrapperClassName="w-32">
        <option value="member">Member</option>
        <option value="owner">Owner</option>
      </Select>
      <div className="pt-6">
        <Button type="submit" size="sm" loading={f.pending}>
          Add member
        </Button>
      </div>
      <div className="w-full">
        <FormStatus error={f.formError} message={f.message} />
      </div>
    </form>
  );
}

export function MemberControls({ teamId, member }: { teamId: string; member: { userId: string; name: string; email: string; role: "member" | "owner" } }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run(p: Promise<{ ok: boolean; error?: { message: string } }>) {
    setPending(true);
    const r = await p;
    setPending(false);
    setConfirming(false);
    if (r.ok) {
      setError(null);
      router.refresh();
    } else setError(r.error?.message ?? "Failed.");
  }

  return (
    <span className="inline-flex flex-wrap items-center justify-end gap-2">
      <label className="sr-only" htmlFor={`role-${teamId}-${member.userId}`}>
        Team role of {member.name}
      </label>
      <select
        id={`role-${teamId}-${member.userId}`}
        value={member.role}
        disabled={pending}
        onChange={(e) => run(setMembershipAction({ teamId, email: member.email, role: e.target.value as "member" | "owner" }))}
        className="h-8 rounded-md border border-slate-300 bg-white px-2 text-sm"
      >
        <option value="member">Member</option>
        <option value="owner">Owner</option>
      </select>
      {confirming ? (
        <span role="group" aria-label={`Confirm removing ${member.name}`} className="inline-flex items-center gap-2">
          <Button size="sm" variant="danger" loading={pending} onClick={() => run(removeMembershipAction({ teamId, userId: member.userId }))}>
            Yes, remove
          </Button>
          <Button size="sm" variant="secondary" onClick={() => setConfirming(false)}>
            Keep
          </Button>
        </span>
      ) : (
        <Button size="sm" variant="ghost" onClick={() => setConfirming(true)} aria-label={`Remove ${member.name} from the team`}>
          Remove
        </Button>
      )}
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}

"use client";

import { Button, Input, Select } from "@/components/ui";
import { createOrganizationAction, updateOrganizationAction } from "@/lib/admin/actions";
import { FormStatus } from "./form-status";
import { useActionForm } from "./use-action-form";

export function OrganizationCreateForm() {
  const f = useActionForm(createOrganizationAction, { reset: true, success: () => "Organization created." });
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label="New organization" className="grid gap-4 sm:grid-cols-2">
      <Input name="name" id="org-name" label="Name" required error={f.fieldErrors.name} />
      <Input name="slug" id="org-slug" label="Slug" hint="Optional; made from the name when empty." error={f.fieldErrors.slug} />
      <Select name="kind" id="org-kind" label="Kind" defaultValue="external" error={f.fieldErrors.kind} hint="External organizations see only plans open to them and are billed through Stripe.">
        <option value="internal">Internal (chargeback)</option>
        <option value="external">External (billed)</option>
      </Select>
      <Input name="billingEmail" id="org-billing" type="email" label="Billing contact email" error={f.fieldErrors.billingEmail} />
      <div className="space-y-3 sm:col-span-2">
        <FormStatus error={f.formError} message={f.message} />
        <Button type="submit" loading={f.pending}>
          Create organization
        </Button>
      </div>
    </form>
  );
}

export function OrganizationEditForm({ org }: { org: { id: string; name: string; kind: "internal" | "external"; billingEmail: string | null } }) {
  const f = useActionForm(updateOrganizationAction, { success: () => "Organization saved." });
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label={`Edit organization ${org.name}`} className="grid gap-4 sm:grid-cols-3">
      <input type="hidden" name="orgId" value={org.id} />
      <Input id={`org-name-${org.id}`} name="name" label="Name" defaultValue={org.name} error={f.fieldErrors.name} />
      <Select id={`org-kind-${org.id}`} name="kind" label="Kind" defaultValue={org.kind} error={f.fieldErrors.kind}>
        <option value="internal">Internal</option>
        <option value="external">External</option>
      </Select>
      <Input id={`org-billing-${org.id}`} name="billingEmail" type="email" label="Billing contact email" defaultValue={org.billingEmail ?? ""} error={f.fieldErrors.billingEmail} />
      <div className="flex flex-wrap items-center gap-3 sm:col-span-3">
        <Button type="submit" size="sm" variant="secondary" loading={f.pending}>
          Save
        </Button>
        <FormStatus error={f.formError} message={f.message} />
      </div>
    </form>
  );
}

import type { Metadata } from "next";
import { OrganizationCreateForm, OrganizationEditForm } from "@/components/admin/organization-forms";
import { AdminNav } from "@/components/auth/admin-nav";
import { Badge, Card, CardBody, CardHeader, CardTitle, EmptyState } from "@/components/ui";
import { getDb } from "@/db/client";
import { listOrganizations } from "@/lib/admin/organizations";
import { requireRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Organizations" };

export default async function AdminOrganizationsPage() {
  const me = await requireRole("admin");
  const orgs = await listOrganizations(getDb(), me);

  return (
    <main className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Administration</h1>
        <AdminNav current="/admin/organizations" />
      </div>

      <Card>
        <CardHeader>
          <CardTitle>New organization</CardTitle>
          <p className="mt-1 text-sm text-slate-600">Internal organizations are charged back per cost center; external ones (partners, customers) are invoiced.</p>
        </CardHeader>
        <CardBody>
          <OrganizationCreateForm />
        </CardBody>
      </Card>

      <section aria-labelledby="orgs-heading" className="space-y-3">
        <h2 id="orgs-heading" className="text-lg font-semibold text-slate-900">
          Organizations <span className="text-sm font-normal text-slate-500">({orgs.length})</span>
        </h2>
        {orgs.length === 0 ? (
          <EmptyState title="No organizations yet">Create the first one above.</EmptyState>
        ) : (
          <ul className="space-y-3" aria-label="Organizations">
            {orgs.map((o) => (
              <li key={o.id}>
                <Card>
                  <CardBody className="space-y-3">
                    <div className="flex flex-wrap items-center justify-between gap-2">
                      <div>
                        <h3 className="text-base font-semibold text-slate-900">
                          {o.name} {o.kind === "external" ? <Badge tone="orange">external</Badge> : <Badge tone="brand">internal</Badge>}
                        </h3>
                        <p className="text-xs text-slate-500">
                          <span className="font-mono">{o.slug}</span> · {o.teamCount} team{o.teamCount === 1 ? "" : "s"} · {o.userCount} user{o.userCount === 1 ? "" : "s"}
                          {o.billingEmail ? ` · billing: ${o.billingEmail}` : o.kind === "external" ? " · no billing contact" : ""}
                          {o.stripeCustomerId ? ` · Stripe ${o.stripeCustomerId}` : ""}
                        </p>
                      </div>
                    </div>
                    <details>
                      <summary className="cursor-pointer text-sm font-medium text-brand-700">
                        Edit<span className="sr-only"> {o.name}</span>
                      </summary>
                      <div className="mt-3">
                        <OrganizationEditForm org={o} />
                      </div>
                    </details>
                  </CardBody>
                </Card>
              </li>
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}

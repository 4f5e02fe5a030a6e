import type { Metadata } from "next";
import { AddMemberForm, CostCenterCreateForm, CostCenterEditForm, MemberControls, TeamCreateForm, TeamEditForm } from "@/components/admin/team-forms";
import { AdminNav } from "@/components/auth/admin-nav";
import { Badge, Card, CardBody, CardHeader, CardTitle, EmptyState } from "@/components/ui";
import { getDb } from "@/db/client";
import { listOrganizations } from "@/lib/admin/organizations";
import { listCostCenters, listTeams } from "@/lib/admin/teams";
import { requireRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Teams and cost centers" };

export default async function AdminTeamsPage() {
  const me = await requireRole("admin");
  const db = getDb();
  const [orgs, costCenters, teams] = await Promise.all([listOrganizations(db, me), listCostCenters(db, me), listTeams(db, me)]);
  const orgOptions = orgs.map(({ id, name, kind }) => ({ id, name, kind }));
  const ccOptions = costCenters.map(({ id, orgId, code, name }) => ({ id, orgId, code, name }));

  return (
    <main className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Administration</h1>
        <AdminNav current="/admin/teams" />
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Cost centers</CardTitle>
          <p className="mt-1 text-sm text-slate-600">Chargeback books a team&apos;s usage to its cost center. A team can only use a cost center of its own organization.</p>
        </CardHeader>
        <CardBody className="space-y-6">
          {costCenters.length === 0 ? (
            <EmptyState title="No cost centers yet">Add one below, then assign it to teams.</EmptyState>
          ) : (
            <div className="overflow-x-auto rounded-lg border border-slate-200">
              <table className="min-w-full divide-y divide-slate-200 text-sm">
                <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                  <tr>
                    <th scope="col" className="px-4 py-2">Code</th>
                    <th scope="col" className="px-4 py-2">Name</th>
                    <th scope="col" className="px-4 py-2">Organization</th>
                    <th scope="col" className="px-4 py-2">Teams</th>
                    <th scope="col" className="px-4 py-2"><span className="sr-only">Edit</span></th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {costCenters.map((cc) => (
                    <tr key={cc.id} className="align-top">
                      <td className="px-4 py-2 font-mono text-slate-900">{cc.code}</td>
                      <td className="px-4 py-2 text-slate-700">{cc.name}</td>
                      <td className="px-4 py-2 text-slate-700">{cc.orgName}</td>
                      <td className="px-4 py-2 text-slate-700">{cc.teamCount}</td>
                      <td className="px-4 py-2 text-right">
                        <details className="text-left">
                          <summary className="cursor-pointer text-sm font-medium text-brand-700">Edit<span className="sr-only"> {cc.code}</span></summary>
                          <div className="mt-2">
                            <CostCenterEditForm cc={cc} />
                          </div>
                        </details>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <CostCenterCreateForm orgs={orgOptions} />
        </CardBody>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>New team</CardTitle>
        </CardHeader>
        <CardBody>
          <TeamCreateForm orgs={orgOptions} costCenters={ccOptions} />
        </CardBody>
      </Card>

      <section aria-labelledby="teams-heading" className="space-y-4">
        <h2 id="teams-heading" className="text-lg font-semibold text-slate-900">
          Teams <span className="text-sm font-normal text-slate-500">({teams.length})</span>
        </h2>
        {teams.length === 0 && <EmptyState title="No teams yet">Create the first team above.</EmptyState>}
        <div className="grid gap-4 lg:grid-cols-2">
        {teams.map((team) => (
          <Card key={team.id}>
            <section aria-label={`Team ${team.name}`}>
              <CardHeader className="flex flex-wrap items-center justify-between gap-2">
                <div>
                  <h3 className="text-base font-semibold text-slate-900">{team.name}</h3>
                  <p className="text-xs text-slate-500">
                    {team.orgName} · <span className="font-mono">{team.slug}</span>
                    {team.contactEmail ? ` · ${team.contactEmail}` : ""}
                  </p>
                </div>
                {team.costCenterCode ? <Badge tone="purple">Cost center {team.costCenterCode}</Badge> : <Badge tone="amber">No cost center</Badge>}
              </CardHeader>
              <CardBody className="space-y-5">
                <details>
                  <summary className="cursor-pointer text-sm font-medium text-brand-700">Edit team details</summary>
                  <div className="mt-3">
                    <TeamEditForm team={team} costCenters={ccOptions} />
                  </div>
                </details>
                {team.members.length === 0 ? (
                  <p className="text-sm text-slate-500">No members yet.</p>
                ) : (
                  <ul aria-label={`Members of ${team.name}`} className="divide-y divide-slate-100 rounded-md border border-slate-200">
                    {team.members.map((m) => (
                      <li key={m.userId} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2 text-sm">
                        <span>
                          <span className="font-medium text-slate-900">{m.name}</span> <span className="text-slate-500">{m.email}</span>{" "}
                          {m.role === "owner" && <Badge tone="amber">owner</Badge>}
                        </span>
                        <MemberControls teamId={team.id} member={m} />
                      </li>
                    ))}
                  </ul>
                )}
                <AddMemberForm teamId={team.id} teamName={team.name} />
              </CardBody>
            </section>
          </Card>
        ))}
        </div>
      </section>
    </main>
  );
}

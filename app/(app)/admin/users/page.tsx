import type { Metadata } from "next";
import { UserRolesForm } from "@/components/admin/user-roles-form";
import { AdminNav } from "@/components/auth/admin-nav";
import { InviteForm } from "@/components/auth/invite-form";
import { RevokeInvitationButton } from "@/components/auth/revoke-invitation-button";
import { UserDisableButton } from "@/components/auth/user-disable-button";
import { Badge, Card, CardBody, CardHeader, CardTitle, EmptyState } from "@/components/ui";
import { getDb } from "@/db/client";
import { listPendingInvitations } from "@/lib/auth/invitations";
import { listOrgsWithTeams, listUsers } from "@/lib/auth/queries";
import { requireRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Users" };

const dateFmt = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

export default async function AdminUsersPage() {
  const me = await requireRole("admin");
  const db = getDb();
  const [users, invitations, orgs] = await Promise.all([listUsers(db), listPendingInvitations(db), listOrgsWithTeams(db)]);
  const now = new Date();

  return (
    <main className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Administration</h1>
        <AdminNav current="/admin/users" />
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Invite someone</CardTitle>
          <p className="mt-1 text-sm text-slate-600">Sign-up is closed; people join through a link you send them. The link works once, for 7 days.</p>
        </CardHeader>
        <CardBody>
          <InviteForm orgs={orgs} />
        </CardBody>
      </Card>

      <section aria-labelledby="pending-heading" className="space-y-3">
        <h2 id="pending-heading" className="text-lg font-semibold text-slate-900">
          Pending invitations
        </h2>
        {invitations.length === 0 ? (
          <EmptyState title="No pending invitations">Invitations you create appear here until they are accepted or revoked.</EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2">Email</th>
                  <th scope="col" className="px-4 py-2">Organization / team</th>
                  <th scope="col" className="px-4 py-2">Roles</th>
                  <th scope="col" className="px-4 py-2">Expires</th>
                  <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {invitations.map((inv) => (
                  <tr key={inv.id}>
                    <td className="px-4 py-2 font-medium text-slate-900">{inv.email}</td>
                    <td className="px-4 py-2 text-slate-700">
                      {inv.orgName}
                      {inv.teamName ? ` / ${inv.teamName} (${inv.teamRole})` : ""}
                    </td>
                    <td className="px-4 py-2">
                      <span className="flex flex-wrap gap-1">
                        {inv.roles.length === 0 ? <span className="text-slate-400">none</span> : inv.roles.map((r) => <Badge key={r}>{r}</Badge>)}
                      </span>
                    </td>
                    <td className="px-4 py-2 text-slate-700">
                      {inv.expiresAt <= now ? <Badge tone="amber">expired</Badge> : <time dateTime={inv.expiresAt.toISOString()}>{dateFmt.format(inv.expiresAt)} UTC</time>}
                    </td>
                    <td className="px-4 py-2 text-right">
                      <RevokeInvitationButton invitationId={inv.id} email={inv.email} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="users-heading" className="space-y-3">
        <h2 id="users-heading" className="text-lg font-semibold text-slate-900">
          Users <span className="text-sm font-normal text-slate-500">({users.length})</span>
        </h2>
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2">Name</th>
                <th scope="col" className="px-4 py-2">Organization</th>
                <th scope="col" className="px-4 py-2">Platform roles</th>
                <th scope="col" className="px-4 py-2">Teams</th>
                <th scope="col" className="px-4 py-2">Last sign-in</th>
                <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {users.map((u) => (
                <tr key={u.id} className={u.disabled ? "text-slate-400" : undefined}>
                  <td className="px-4 py-2">
                    <div className="font-medium text-slate-900">{u.name}</div>
                    <div className="text-xs text-slate-500">{u.email}</div>
                    {u.disabled && <Badge tone="red">disabled</Badge>}
                  </td>
                  <td className="px-4 py-2 text-slate-700">
                    {u.orgName} {u.orgKind === "external" && <Badge tone="orange">external</Badge>}
                  </td>
                  <td className="px-4 py-2">
                    <UserRolesForm userId={u.id} email={u.email} roles={u.roles} self={u.id === me.id} />
                  </td>
                  <td className="px-4 py-2 text-slate-700">
                    {u.teams.length === 0 ? (
                      <span className="text-slate-400">none</span>
                    ) : (
                      <ul>
                        {u.teams.map((t) => (
                          <li key={t.name}>
                            {t.name} {t.role === "owner" && <Badge tone="amber">owner</Badge>}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td className="px-4 py-2 text-slate-700">
                    {u.lastSignInAt ? <time dateTime={new Date(u.lastSignInAt).toISOString()}>{dateFmt.format(new Date(u.lastSignInAt))} UTC</time> : <span className="text-slate-400">never</span>}
                  </td>
                  <td className="px-4 py-2 text-right">
                    {u.id !== me.id && <UserDisableButton userId={u.id} email={u.email} disabled={u.disabled} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </main>
  );
}

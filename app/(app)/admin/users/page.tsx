import type { Metadata } from "next";
import { UserRolesForm } from "@/components/admin/user-roles-form";
import { AdminNav } from "@/components/auth/admin-nav";
import { InviteForm } from "@/components/auth/invite-form";
import { RevokeInvitationButton } from "@/components/auth/revoke-invitation-button";
import { UserDisableButton } from "@/components/auth/user-disable-button";
import { Badge, ButtonLink, Card, CardBody, CardHeader, CardTitle, EmptyState, Input, Pagination, type SearchParamsRecord } from "@/components/ui";
import { getDb } from "@/db/client";
import { toFieldErrors } from "@/lib/actions/safe-action";
import { UserListQuerySchema, USERS_PAGE_SIZE } from "@/lib/admin/schemas";
import { listPendingInvitations } from "@/lib/auth/invitations";
import { countUsers, listOrgsWithTeams, listUsers } from "@/lib/auth/queries";
import { requireRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Users" };

const dateFmt = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

export default async function AdminUsersPage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  const me = await requireRole("admin");
  const db = getDb();
  const sp = await searchParams;
  const parsed = UserListQuerySchema.safeParse(sp);
  const queryErrors = parsed.success ? {} : toFieldErrors(parsed.error);
  const { q, page: wanted } = parsed.success ? parsed.data : { q: undefined, page: 1 };
  const total = await countUsers(db, q);
  const pageCount = Math.max(1, Math.ceil(total / USERS_PAGE_SIZE));
  const page = Math.min(wanted, pageCount);
  const [users, invitations, orgs] = await Promise.all([
    listUsers(db, { q, limit: USERS_PAGE_SIZE, offset: (page - 1) * USERS_PAGE_SIZE }),
    listPendingInvitations(db),
    listOrgsWithTeams(db),
  ]);
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
          Users <span className="text-sm font-normal text-slate-500">({total.toLocaleString("en-GB")}{q ? ` matching “${q}”` : ""})</span>
        </h2>
        <form method="get" action="/admin/users" role="search" aria-label="Search users" className="flex flex-wrap items-end gap-2">
          <Input name="q" id="users-q" label="Search users" placeholder="part of an email address or name" defaultValue={q ?? ""} error={queryErrors.q} wrapperClassName="w-full max-w-sm" />
          <button type="submit" className="inline-flex h-10 items-center rounded-md bg-brand-600 px-4 text-sm font-medium text-white shadow-sm hover:bg-brand-700">
            Search
          </button>
          {q && (
            <ButtonLink href="/admin/users" variant="ghost">
              Clear
            </ButtonLink>
          )}
        </form>
        {users.length === 0 ? (
          <EmptyState title={q ? "No user matches this search" : "No users yet"}>{q ? "Try part of the email address or name." : "Invite someone above."}</EmptyState>
        ) : (
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
        )}
        <Pagination pathname="/admin/users" searchParams={sp} page={page} pageCount={pageCount} />
      </section>
    </main>
  );
}

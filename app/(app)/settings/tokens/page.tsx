import type { Metadata } from "next";
import Link from "next/link";
import { RevokeTokenButton } from "@/components/api/revoke-token-button";
import { TokenForm } from "@/components/api/token-form";
import { Badge, Card, CardBody, CardHeader, CardTitle, EmptyState } from "@/components/ui";
import { getDb } from "@/db/client";
import { API_SCOPES } from "@/lib/api/scopes";
import { listApiTokens } from "@/lib/api/tokens";
import { isFinance } from "@/lib/auth/roles";
import { requireUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "API tokens" };

const dateFmt = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

export default async function TokensPage() {
  const user = await requireUser();
  const tokens = await listApiTokens(getDb(), user);
  const now = new Date();
  const scopes = Object.entries(API_SCOPES).map(([key, description]) => ({ key, description, disabled: key === "finance:read" && !isFinance(user) }));
  const ownedTeams = user.teams.filter((t) => t.role === "owner").map((t) => ({ id: t.id, name: t.name }));

  return (
    <main className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">API tokens</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Automate what you do in the app through the <Link className="text-brand-700 underline" href="/developers/api">token API</Link>. A token can do at
          most what its user can, narrowed to the scopes you pick. Team tokens act for one team you own and survive people moving on.
        </p>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Create a token</CardTitle>
        </CardHeader>
        <CardBody>
          <TokenForm scopes={scopes} teams={ownedTeams} />
        </CardBody>
      </Card>

      <section aria-labelledby="tokens-heading" className="space-y-3">
        <h2 id="tokens-heading" className="text-lg font-semibold text-slate-900">
          Your tokens
        </h2>
        {tokens.length === 0 ? (
          <EmptyState title="No tokens yet">Create one above to call the API from scripts and pipelines.</EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <thead className="bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2">Name</th>
                  <th scope="col" className="px-4 py-2">Token</th>
                  <th scope="col" className="px-4 py-2">Acts for</th>
                  <th scope="col" className="px-4 py-2">Scopes</th>
                  <th scope="col" className="px-4 py-2">Last used</th>
                  <th scope="col" className="px-4 py-2">Expires</th>
                  <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {tokens.map((t) => {
                  const expired = t.expiresAt !== null && t.expiresAt <= now;
                  return (
                    <tr key={t.id} className={t.revokedAt || expired ? "text-slate-400" : undefined}>
                      <td className="px-4 py-2 font-medium text-slate-900">{t.name}</td>
                      <td className="px-4 py-2 font-mono text-xs">{t.prefix}…</td>
                      <td className="px-4 py-2">{t.team ? `Team ${t.team.name}` : "You"}</td>
                      <td className="px-4 py-2">
                        <div className="flex flex-wrap gap-1">
                          {t.scopes.map((s) => (
                            <Badge key={s} tone="neutral">
                              {s}
                            </Badge>
                          ))}
                        </div>
                      </td>
                      <td className="px-4 py-2">{t.lastUsedAt ? dateFmt.format(t.lastUsedAt) : "Never"}</td>
                      <td className="px-4 py-2">{t.expiresAt ? dateFmt.format(t.expiresAt) : "Never"}</td>
                      <td className="px-4 py-2 text-right">
                        {t.revokedAt ? (
                          <Badge tone="neutral">Revoked</Badge>
                        ) : expired ? (
                          <Badge tone="amber">Expired</Badge>
                        ) : (
                          <RevokeTokenButton tokenId={t.id} name={t.name} />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </main>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { OwnerHealthOverview } from "@/components/products/owner-health-overview";
import { DiscardDraftButton } from "@/components/publishing/discard-draft-button";
import { Badge, ButtonLink, Card, EmptyState, Skeleton, type BadgeTone } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireRole } from "@/lib/auth/session";
import { countPendingRequests, listTeamProducts, type OwnerProductRow } from "@/lib/publishing/queries";
import { STEPS } from "@/lib/publishing/schemas";

export const metadata: Metadata = { title: "My products" };

const STATUS_TONE: Record<OwnerProductRow["status"], BadgeTone> = { draft: "amber", published: "green", deprecated: "orange", retired: "neutral" };

function when(d: Date | null): string {
  return d ? d.toISOString().slice(0, 10) : "—";
}

/** The owner's home: drafts to continue, published products to manage, pending reviews. */
export default async function OwnerDashboardPage() {
  const user = await requireRole("owner");
  const db = getDb();
  const teamIds = user.teams.filter((t) => t.role === "owner").map((t) => t.id);
  const [products, pending] = await Promise.all([listTeamProducts(db, teamIds), countPendingRequests(db, teamIds)]);
  const drafts = products.filter((p) => p.status === "draft");
  const live = products.filter((p) => p.status !== "draft");
  const dataSteps = STEPS.length - 1;

  return (
    <main className="space-y-8">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">My products</h1>
          <p className="mt-1 text-sm text-slate-600">Data products of the teams you own: {user.teams.filter((t) => t.role === "owner").map((t) => t.name).join(", ")}.</p>
        </div>
        <ButtonLink href="/owner/publish">Publish a data product</ButtonLink>
      </div>

      <Link
        href="/owner/requests"
        className="flex items-center justify-between rounded-lg border border-slate-200 bg-white px-5 py-4 shadow-sm hover:border-brand-500"
      >
        <span>
          <span className="block text-sm font-medium text-slate-900">Access requests waiting for review</span>
          <span className="text-sm text-slate-600">{pending === 0 ? "Nothing to review right now." : "Approve with a tier and expiry, or deny with a reason."}</span>
        </span>
        <span className="flex items-center gap-2">
          <Badge tone={pending > 0 ? "amber" : "neutral"} aria-label={`${pending} pending`}>
            {pending} pending
          </Badge>
          <span aria-hidden className="text-slate-400">→</span>
        </span>
      </Link>

      {products.length === 0 ? (
        <EmptyState title="No data products yet" action={<ButtonLink href="/owner/publish">Publish a data product</ButtonLink>}>
          Publish your first stream: pick a topic, infer its schema, tag personal data, set masking tiers and plans. Each step is saved as a draft.
        </EmptyState>
      ) : (
        <>
          {drafts.length > 0 && (
            <section aria-labelledby="drafts-heading">
              <h2 id="drafts-heading" className="text-lg font-semibold text-slate-900">
                Drafts <span className="text-sm font-normal text-slate-500">({drafts.length})</span>
              </h2>
              <ul className="mt-3 grid gap-3 md:grid-cols-2">
                {drafts.map((p) => {
                  const done = (p.stepsDone ?? []).filter((s) => s !== "review").length;
                  return (
                    <li key={p.id}>
                      <Card className="flex h-full flex-col gap-3 p-4">
                        <div className="flex items-start justify-between gap-3">
                          <div className="min-w-0">
                            <p className="truncate font-medium text-slate-900">{p.name}</p>
                            <p className="truncate font-mono text-xs text-slate-500">/products/{p.slug}</p>
                          </div>
                          <Badge tone="amber">Draft</Badge>
                        </div>
                        <div>
                          <div className="flex justify-between text-xs text-slate-600">
                            <span>
                              {done} of {dataSteps} steps saved
                            </span>
                            <span>{p.teamName} · edited {when(p.draftUpdatedAt ?? p.updatedAt)}</span>
                          </div>
                          <div className="mt-1 h-1.5 overflow-hidden rounded-full bg-slate-200" aria-hidden>
                            <div className="h-full rounded-full bg-brand-600" style={{ width: `${Math.round((done / dataSteps) * 100)}%` }} />
                          </div>
                        </div>
                        <div className="mt-auto flex flex-wrap items-center justify-between gap-2">
                          <ButtonLink href={`/owner/publish/${p.id}`} size="sm" aria-label={`Continue ${p.name}`}>
                            Continue
                          </ButtonLink>
                          <DiscardDraftButton productId={p.id} name={p.name} />
                        </div>
                      </Card>
                    </li>
                  );
                })}
              </ul>
            </section>
          )}

          <section aria-labelledby="live-heading">
            <h2 id="live-heading" className="text-lg font-semibold text-slate-900">
              Published <span className="text-sm font-normal text-slate-500">({live.length})</span>
            </h2>
            {live.length === 0 ? (
              <p className="mt-3 rounded-lg border border-dashed border-slate-300 bg-white px-4 py-6 text-center text-sm text-slate-600">
                Nothing published yet. Finish a draft to put it in the catalog.
              </p>
            ) : (
              <div className="mt-3 overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
                <table className="min-w-full text-sm">
                  <caption className="sr-only">Published products</caption>
                  <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                    <tr>
                      <th scope="col" className="px-4 py-2">Product</th>
                      <th scope="col" className="px-4 py-2">Team</th>
                      <th scope="col" className="px-4 py-2">Status</th>
                      <th scope="col" className="px-4 py-2 text-right">Active subscriptions</th>
                      <th scope="col" className="px-4 py-2">Published</th>
                      <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {live.map((p) => (
                      <tr key={p.id}>
                        <th scope="row" className="px-4 py-3 text-left font-normal">
                          <Link href={`/products/${p.slug}`} className="font-medium text-slate-900 hover:text-brand-700 hover:underline">
                            {p.name}
                          </Link>
                          <p className="max-w-md truncate text-xs text-slate-500">{p.summary}</p>
                        </th>
                        <td className="px-4 py-3 text-slate-700">{p.teamName}</td>
                        <td className="px-4 py-3">
                          <Badge tone={STATUS_TONE[p.status]}>{p.status[0].toUpperCase() + p.status.slice(1)}</Badge>
                        </td>
                        <td className="px-4 py-3 text-right tabular-nums text-slate-700">{p.activeSubscriptions}</td>
                        <td className="px-4 py-3 text-slate-700">{when(p.publishedAt)}</td>
                        <td className="px-4 py-3 text-right">
                          <Link href={`/owner/products/${p.slug}`} className="font-medium text-brand-700 hover:underline" aria-label={`Manage ${p.name}`}>
                            Manage
                          </Link>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          {live.some((p) => p.status !== "retired") && (
            <section aria-label="Stream health">
              <Suspense fallback={<Skeleton className="h-32 w-full" />}>
                <OwnerHealthOverview products={live.filter((p) => p.status !== "retired").map((p) => ({ id: p.id, slug: p.slug, name: p.name }))} />
              </Suspense>
            </section>
          )}
        </>
      )}
    </main>
  );
}

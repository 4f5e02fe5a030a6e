import type { Metadata } from "next";
import Link from "next/link";
import { Badge, ButtonLink, Card, CardBody, EmptyState } from "@/components/ui";
import { AutoRefresh } from "@/components/subscriptions/auto-refresh";
import { SubscriptionStateBadge, isSettling } from "@/components/subscriptions/state-badge";
import { SubscriptionActions } from "@/components/subscriptions/subscription-actions";
import { UsageDetails } from "@/components/subscriptions/usage-details";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { ManageBillingButton } from "@/components/billing/manage-billing-button";
import { listTeamSubscriptionUsage } from "@/lib/metering/queries";
import { listLiveCredentials, listTeamAccessRequests, listTeamSubscriptions } from "@/lib/subscriptions/queries";

export const metadata: Metadata = { title: "My subscriptions" };

const day = (d: Date) => d.toISOString().slice(0, 10);

export default async function SubscriptionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  // ?usage=<subscription id> opens that subscription's usage (a link target from elsewhere).
  const openUsage = (await searchParams).usage;
  const db = getDb();
  const teamName = new Map(user.teams.map((t) => [t.id, t.name]));
  const rows = await listTeamSubscriptions(db, [...teamName.keys()]);
  const requests = await listTeamAccessRequests(db, [...teamName.keys()]);
  const usage = await listTeamSubscriptionUsage(db, user);
  // Reveal is offered only for a generation not revealed yet; the newest live credential is the current one.
  const revealed = new Map<string, boolean>();
  for (const r of rows) {
    if (r.subscription.state !== "active") continue;
    const creds = await listLiveCredentials(db, r.subscription.id);
    revealed.set(r.subscription.id, Boolean(creds.at(-1)?.revealedAt));
  }
  const anyProvisioning = rows.some((r) => isSettling(r.subscription.state));

  return (
    <main>
      <AutoRefresh active={anyProvisioning} />
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">My subscriptions</h1>
          <p className="mt-1 text-sm text-slate-600">Streams your teams subscribe to, their state and their connection credentials.</p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {user.orgKind === "external" && env().STRIPE_SECRET_KEY ? <ManageBillingButton /> : null}
          <ButtonLink href="/catalog" variant="secondary">
            Browse the catalog
          </ButtonLink>
        </div>
      </div>

      {requests.length > 0 && (
        <section aria-labelledby="requests-heading" className="mt-6">
          <h2 id="requests-heading" className="text-lg font-semibold text-slate-900">
            Access requests
          </h2>
          <ul className="mt-3 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" aria-label="Access requests">
            {requests.map((r) => (
              <li key={r.id} className="flex flex-wrap items-start justify-between gap-3 px-5 py-3">
                <div className="min-w-0">
                  <p className="font-medium text-slate-900">
                    <a href={`/products/${r.productSlug}`} className="hover:underline">
                      {r.productName}
                    </a>{" "}
                    <span className="font-normal text-slate-600">
                      · {r.planName} plan · team {teamName.get(r.teamId) ?? "—"} · filed {day(r.createdAt)}
                    </span>
                  </p>
                  {r.status === "pending" ? (
                    <p className="text-sm text-slate-600">Waiting for the product&apos;s owners to review it.</p>
                  ) : (
                    r.decisionReason && <p className="text-sm text-slate-700">Reason: {r.decisionReason}</p>
                  )}
                </div>
                <Badge tone={r.status === "pending" ? "amber" : r.status === "denied" ? "red" : "neutral"}>
                  {r.status === "pending" ? "Awaiting review" : r.status === "denied" ? "Denied" : "Cancelled"}
                </Badge>
              </li>
            ))}
          </ul>
        </section>
      )}

      {rows.length === 0 ? (
        <EmptyState
          className="mt-8"
          title="No subscriptions yet"
          action={
            <ButtonLink href="/catalog" variant="primary">
              Find a data product
            </ButtonLink>
          }
        >
          {user.teams.length === 0
            ? "Subscriptions belong to teams, and you are not in one yet: ask an administrator to add you."
            : "Pick a product in the catalog and subscribe on behalf of your team; instant plans are ready within seconds."}
        </EmptyState>
      ) : (
        <ul className="mt-6 space-y-4" aria-label="Subscriptions">
          {rows.map(({ subscription: s, productName, productSlug, planName, tierName }) => (
            <li key={s.id}>
              <Card>
                <CardBody>
                  <article aria-label={`${productName} — ${planName}`}>
                    <div className="flex flex-wrap items-start justify-between gap-3">
                      <div className="min-w-0">
                        <h2 className="font-semibold text-slate-900">
                          <Link href={`/subscriptions/${s.id}`} className="hover:text-brand-700 hover:underline">
                            {productName}
                          </Link>
                        </h2>
                        <p className="mt-0.5 text-sm text-slate-600">
                          {planName} plan · {tierName} tier · team {teamName.get(s.teamId) ?? "—"} · purpose {s.purpose} ·{" "}
                          <Link href={`/products/${productSlug}`} className="hover:text-brand-700 hover:underline">
                            product page
                          </Link>
                        </p>
                      </div>
                      <div className="flex items-center gap-3">
                        <SubscriptionStateBadge state={s.state} />
                        <ButtonLink href={`/subscriptions/${s.id}`} size="sm" variant="secondary" aria-label={`Details and connection snippets: ${productName}, ${planName}`}>
                          Details
                        </ButtonLink>
                      </div>
                    </div>
                    {s.stateReason && (
                      <p className={s.state === "failed" ? "mt-2 text-sm text-red-700" : "mt-2 text-sm text-slate-600"}>{s.stateReason}</p>
                    )}
                    <p className="mt-2 text-xs text-slate-500">
                      Since {day(s.createdAt)}
                      {s.expiresAt ? ` · expires ${day(s.expiresAt)}` : ""}
                      {s.deliveryTopic ? ` · topic ${s.deliveryTopic}` : ""}
                    </p>
                    <SubscriptionActions subscriptionId={s.id} productName={productName} state={s.state} revealed={revealed.get(s.id) ?? false} />
                    {s.activatedAt && usage.get(s.id) && <UsageDetails usage={usage.get(s.id)!} open={openUsage === s.id} />}
                  </article>
                </CardBody>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

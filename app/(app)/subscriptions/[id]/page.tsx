import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { Alert, Card, CardBody, CardHeader, CardTitle } from "@/components/ui";
import { SubscriptionUsagePanel, UsagePanelSkeleton } from "@/components/usage/usage-panel";
import { AutoRefresh } from "@/components/subscriptions/auto-refresh";
import { CopyButton } from "@/components/subscriptions/copy-button";
import { SnippetTabs } from "@/components/subscriptions/snippet-tabs";
import { SubscriptionActions } from "@/components/subscriptions/subscription-actions";
import { SubscriptionStateBadge, formatUtc, isSettling } from "@/components/subscriptions/state-badge";
import { PASSWORD_PLACEHOLDER, connectionDetails, type SubscriptionViewer } from "@/lib/subscriptions/detail";
import { LIVE_STATES } from "@/lib/subscriptions/queries";
import { loadSubscriptionPage } from "./load";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { detail } = await loadSubscriptionPage((await params).id);
  return { title: `${detail.product.name} — subscription` };
}

const readOnlyNote: Record<Exclude<SubscriptionViewer, "team">, string> = {
  owner_team: "You see this subscription as a member of the product's owning team.",
  admin: "You see this subscription as an administrator.",
  finance: "You see this subscription as finance.",
};

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-wrap items-center gap-2 py-1.5">
      <dt className="w-40 shrink-0 text-sm text-slate-500">{label}</dt>
      <dd className="min-w-0 flex-1 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

function CopyFact({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex flex-wrap items-center gap-2 py-1.5">
      <dt className="w-40 shrink-0 text-sm text-slate-500">{label}</dt>
      <dd className="min-w-0 flex-1 break-all font-mono text-sm text-slate-900">{value}</dd>
      <CopyButton text={value} label={label} />
    </div>
  );
}

/**
 * One subscription: state (refreshing while the worker provisions), expiry, the credential's
 * metadata with reveal and rotate, connection snippets with the password as a placeholder, and
 * usage. The subscribing team acts; the product's team, finance and admins read.
 */
export default async function SubscriptionPage({ params }: Props) {
  const { detail } = await loadSubscriptionPage((await params).id);
  const { subscription: s, product, plan, tierName, teamName, ownerTeamName, viewer, current, retiring } = detail;
  const isTeam = viewer === "team";
  const live = (LIVE_STATES as readonly string[]).includes(s.state);
  const connection = isTeam && live && current ? connectionDetails(s, current.username) : null;

  return (
    <main className="space-y-6">
      <AutoRefresh active={isSettling(s.state)} />
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        {isTeam ? (
          <Link href="/subscriptions" className="hover:text-brand-700 hover:underline">
            My subscriptions
          </Link>
        ) : (
          <Link href={`/products/${product.slug}`} className="hover:text-brand-700 hover:underline">
            {product.name}
          </Link>
        )}
        <span aria-hidden="true"> / </span>
        <span aria-current="page">Subscription</span>
      </nav>

      <header className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">
            <Link href={`/products/${product.slug}`} className="hover:text-brand-700 hover:underline">
              {product.name}
            </Link>
          </h1>
          <p className="mt-1 text-sm text-slate-600">
            {plan.name} plan · {tierName} tier · team {teamName} · purpose {s.purpose}
          </p>
        </div>
        <SubscriptionStateBadge state={s.state} />
      </header>

      {!isTeam && (
        <Alert tone="info">
          {readOnlyNote[viewer]} Only members of {teamName} can reveal or rotate its credentials or cancel it.
        </Alert>
      )}

      <Card role="region" aria-labelledby="status-heading">
        <CardHeader>
          <CardTitle id="status-heading">Status</CardTitle>
        </CardHeader>
        <CardBody>
          {s.state === "provisioning" && (
            <p className="mb-2 text-sm text-slate-700">Setting up the principal and its access on the cluster; this page refreshes itself until it is ready.</p>
          )}
          {s.stateReason && (
            <p className={s.state === "failed" ? "mb-2 text-sm text-red-700" : "mb-2 text-sm text-slate-700"} data-testid="state-reason">
              {s.stateReason}
            </p>
          )}
          <dl className="divide-y divide-slate-100">
            <Fact label="Created">{formatUtc(s.createdAt)}</Fact>
            {s.activatedAt && <Fact label="Active since">{formatUtc(s.activatedAt)}</Fact>}
            <Fact label={s.endedAt ? "Access ended" : "Access ends"}>
              {s.endedAt ? formatUtc(s.endedAt) : s.expiresAt ? formatUtc(s.expiresAt) : "No end date"}
            </Fact>
            <Fact label="Approval">{plan.approval === "manual" ? "Reviewed by an owner" : "Automatic"}</Fact>
            <Fact label="Product owners">{ownerTeamName}</Fact>
          </dl>
        </CardBody>
      </Card>

      <Card role="region" aria-labelledby="credentials-heading">
        <CardHeader>
          <CardTitle id="credentials-heading">Credentials</CardTitle>
        </CardHeader>
        <CardBody>
          {current ? (
            <dl className="divide-y divide-slate-100">
              <Fact label="Username">
                <span className="font-mono" data-testid="credential-username">
                  {current.username}
                </span>
              </Fact>
              <Fact label="Mechanism">{current.mechanism.toUpperCase()}</Fact>
              <Fact label="Created">{formatUtc(current.createdAt)}</Fact>
              <Fact label="Rotated">{current.rotatedAt ? formatUtc(current.rotatedAt) : "Never"}</Fact>
              <Fact label="Password">
                {current.revealedAt ? `Revealed ${formatUtc(current.revealedAt)}; rotate to get a new one` : "Not revealed yet"}
              </Fact>
              {retiring.map((c) => (
                <Fact key={c.id} label="Previous credential">
                  <span className="font-mono">{c.username}</span> keeps working until {c.retiresAt ? formatUtc(c.retiresAt) : "it is retired"}
                </Fact>
              ))}
            </dl>
          ) : (
            <p className="text-sm text-slate-600">{live ? "The credential is being created." : "No credential holds access any more."}</p>
          )}
          {isTeam && (
            <SubscriptionActions subscriptionId={s.id} productName={product.name} state={s.state} revealed={Boolean(current?.revealedAt)} />
          )}
        </CardBody>
      </Card>

      {connection && (
        <Card role="region" aria-labelledby="connect-heading">
          <CardHeader>
            <CardTitle id="connect-heading">Connect</CardTitle>
            <p className="mt-0.5 text-sm text-slate-600">
              {s.state === "active"
                ? "Everything but the password, which exists only at reveal or rotation: paste it where the snippet says "
                : "These settings work once the subscription is active. The password exists only at reveal or rotation: paste it where the snippet says "}
              <code className="rounded bg-slate-100 px-1 text-xs">{PASSWORD_PLACEHOLDER}</code>.
            </p>
          </CardHeader>
          <CardBody className="space-y-4">
            <dl className="divide-y divide-slate-100">
              <CopyFact label="Bootstrap" value={connection.bootstrap.join(",")} />
              <CopyFact label="Topic" value={connection.topic} />
              <CopyFact label="Group prefix" value={connection.groupPrefix} />
              <CopyFact label="Username" value={connection.username} />
              <Fact label="Mechanism">{connection.mechanism}</Fact>
              <Fact label="Security protocol">{connection.securityProtocol}</Fact>
            </dl>
            <p className="text-sm text-slate-600">Consumer group ids must start with the group prefix; other groups are refused.</p>
            <SnippetTabs snippets={connection.snippets} />
          </CardBody>
        </Card>
      )}

      {s.activatedAt && (
        <Card role="region" aria-label="Usage and cost">
          <CardBody>
            <Suspense fallback={<UsagePanelSkeleton />}>
              <SubscriptionUsagePanel subscriptionId={s.id} />
            </Suspense>
          </CardBody>
        </Card>
      )}
    </main>
  );
}

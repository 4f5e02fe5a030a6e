import { Badge, type BadgeTone, EmptyState } from "@/components/ui";
import type { ProductConsumer } from "@/lib/products/consumers";
import { ENDED_VISIBLE_DAYS } from "@/lib/products/consumers";
import { RevokeSubscriptionButton } from "./revoke-subscription-button";

const stateTone: Record<ProductConsumer["state"], BadgeTone> = {
  requested: "neutral",
  provisioning: "brand",
  active: "green",
  suspended: "orange",
  failed: "red",
  revoked: "neutral",
  expired: "neutral",
};

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "—");

/** The product's subscriptions for its owning team and admins; revoke for the team's owners. */
export function ConsumersTable({ consumers, canRevoke }: { consumers: ProductConsumer[]; canRevoke: boolean }) {
  if (consumers.length === 0) {
    return (
      <EmptyState title="No consumers yet">
        When a team subscribes (or you approve a request), it shows up here with its plan, tier and state.
      </EmptyState>
    );
  }
  const live = consumers.filter((c) => c.live).length;
  return (
    <div>
      <p className="mb-3 text-sm text-slate-600">
        {live} live subscription{live === 1 ? "" : "s"}; ended ones stay listed for {ENDED_VISIBLE_DAYS} days.
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Subscriptions of this product</caption>
          <thead className="border-b border-slate-100 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">Team</th>
              <th scope="col" className="px-3 py-2 font-medium">Organisation</th>
              <th scope="col" className="px-3 py-2 font-medium">Plan</th>
              <th scope="col" className="px-3 py-2 font-medium">Tier</th>
              <th scope="col" className="px-3 py-2 font-medium">State</th>
              <th scope="col" className="px-3 py-2 font-medium">Since</th>
              <th scope="col" className="px-3 py-2 font-medium">Expires</th>
              {canRevoke && (
                <th scope="col" className="px-4 py-2 text-right font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {consumers.map((c) => (
              <tr key={c.subscriptionId} className={c.live ? undefined : "text-slate-500"}>
                <th scope="row" className="px-4 py-3 align-top font-medium text-slate-900">
                  {c.team.name}
                  <span className="block text-xs font-normal text-slate-500" title={c.requester.email}>
                    by {c.requester.name} · {c.purpose}
                  </span>
                </th>
                <td className="px-3 py-3 align-top">
                  {c.org.name}{" "}
                  <Badge tone={c.org.kind === "external" ? "purple" : "neutral"}>{c.org.kind === "external" ? "External" : "Internal"}</Badge>
                </td>
                <td className="px-3 py-3 align-top">{c.plan}</td>
                <td className="px-3 py-3 align-top">
                  {c.tier.name}
                  {c.tier.fullAccess && <span className="block text-xs text-amber-700">unmasked</span>}
                </td>
                <td className="px-3 py-3 align-top">
                  <Badge tone={stateTone[c.state]}>{c.state.charAt(0).toUpperCase() + c.state.slice(1)}</Badge>
                  {c.stateReason && <span className="mt-1 block max-w-56 text-xs text-slate-500">{c.stateReason}</span>}
                </td>
                <td className="whitespace-nowrap px-3 py-3 align-top tabular-nums">{day(c.since)}</td>
                <td className="whitespace-nowrap px-3 py-3 align-top tabular-nums">{c.live ? day(c.expiresAt) : `ended ${day(c.endedAt)}`}</td>
                {canRevoke && (
                  <td className="px-4 py-3 text-right align-top">
                    {c.revocable && <RevokeSubscriptionButton subscriptionId={c.subscriptionId} teamName={c.team.name} />}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

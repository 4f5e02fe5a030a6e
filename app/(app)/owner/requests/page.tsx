import type { Metadata } from "next";
import { FocusTarget } from "@/components/notifications/focus-target";
import { ReviewQueue, type ReviewItem } from "@/components/subscriptions/review-queue";
import { Alert } from "@/components/ui";
import { getDb } from "@/db/client";
import { requireRole } from "@/lib/auth/session";
import { isMemberOfTeam } from "@/lib/auth/roles";
import { listGrantablePlans } from "@/lib/subscriptions/detail";
import { listReviewQueue } from "@/lib/subscriptions/service";

export const metadata: Metadata = { title: "Access requests" };

export default async function OwnerRequestsPage({ searchParams }: { searchParams: Promise<{ request?: string | string[] }> }) {
  const owner = await requireRole("owner");
  const db = getDb();
  const queue = await listReviewQueue(db, owner);
  const planRows = await listGrantablePlans(db, [...new Set(queue.map((q) => q.productId))]);
  const items: ReviewItem[] = queue.map((q) => ({
    requestId: q.requestId,
    createdAt: q.createdAt.toISOString(),
    productName: q.productName,
    productSlug: q.productSlug,
    planId: q.planId,
    planName: q.planName,
    tierName: q.tierName,
    requester: { name: q.requester.name, email: q.requester.email },
    team: { name: q.team.name },
    org: q.org,
    purpose: q.purpose,
    justification: q.justification,
    requestedExpiry: q.requestedExpiry?.toISOString() ?? null,
    plans: planRows.filter((p) => p.productId === q.productId).map(({ id, name, tierName, externalAllowed }) => ({ id, name, tierName, externalAllowed })),
    // The service's four-eyes rule (lib/subscriptions/service.ts loadDecidableRequest), shown before the click.
    approvalBlocked:
      q.requester.id === owner.id || isMemberOfTeam(owner, q.team.id)
        ? `Four eyes: this request comes from ${q.team.name}, a team you belong to, so another owner of the product outside that team must approve it. You can still deny it.`
        : null,
  }));

  // A notification link (?request=<id>) lands on that request: scrolled to, outlined, focused.
  const wanted = (await searchParams).request;
  const target = typeof wanted === "string" ? items.find((i) => i.requestId === wanted) : undefined;

  return (
    <main>
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Access requests</h1>
      <p className="mt-1 text-sm text-slate-600">
        Requests for your teams&apos; products that need an owner&apos;s decision. Four eyes: a request filed by a team you belong to must be approved by
        another owner.
      </p>
      {typeof wanted === "string" && !target && (
        <Alert tone="info" className="mt-4">
          The request from your notification is no longer waiting: it was decided, cancelled, or is not yours to review.
        </Alert>
      )}
      {target && <FocusTarget selector={`article:has([id="select-${target.requestId}"])`} />}
      <ReviewQueue items={items} today={new Date().toISOString().slice(0, 10)} />
    </main>
  );
}

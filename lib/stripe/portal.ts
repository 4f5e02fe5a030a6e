import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { organizations } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import type { SessionUser } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";

/**
 * A Stripe customer-portal session for the caller's own organization (invoices, payment method,
 * cancellation). Only members of an external organization that already has a Stripe customer may
 * open one; the org comes from the session, never from the request, so no one reaches another
 * organization's billing.
 */
export async function createPortalSession(db: Db, stripe: Stripe, user: SessionUser, opts: { returnUrl: string }): Promise<string> {
  if (user.orgKind !== "external") {
    await audit(db, user, "denied", { reason: "internal organization" });
    throw new AppError("forbidden", "Internal teams are charged back through finance; there is no Stripe billing to manage.");
  }
  const [org] = await db.select().from(organizations).where(eq(organizations.id, user.orgId));
  if (!org?.stripeCustomerId) {
    await audit(db, user, "denied", { reason: "no Stripe customer yet" });
    throw new AppError("conflict", "Your organization has no billing account yet: it is created with your first paid subscription.");
  }
  const session = await stripe.billingPortal.sessions.create({ customer: org.stripeCustomerId, return_url: opts.returnUrl });
  await audit(db, user, "success", { stripeCustomerId: org.stripeCustomerId });
  return session.url;
}

function audit(db: Db, user: SessionUser, result: "success" | "denied", details: Record<string, unknown>) {
  return recordAudit(db, {
    actor: { type: "user", id: user.id, label: user.email },
    action: "stripe.portal.open",
    resource: { type: "organization", id: user.orgId },
    result,
    details,
  });
}

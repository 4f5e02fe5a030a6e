import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { requireApiUser } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { getStripe } from "@/lib/stripe/client";
import { createLogger } from "@/lib/ops/log";
import { REQUEST_ID_HEADER } from "@/lib/ops/request-id";
import { createPortalSession } from "@/lib/stripe/portal";

export const dynamic = "force-dynamic";

/**
 * POST (a form on the subscriptions page): a Stripe customer-portal session for the signed-in
 * user's own organization, answered with a 303 to Stripe. Refused with a reason: 401 signed out,
 * 403 for an internal organization or a cross-site form, 409 before the org has a Stripe
 * customer, 503 while Stripe is not configured.
 */
export async function POST(req: Request): Promise<Response> {
  const stripe = getStripe();
  if (!stripe) return text(503, "Billing through Stripe is not configured on this installation.");
  // A cross-site form could otherwise make a signed-in user's browser open a session.
  const origin = req.headers.get("origin");
  if (origin && origin !== new URL(req.url).origin && origin !== new URL(env().appUrl).origin) {
    return text(403, "Cross-site request refused.");
  }
  try {
    const user = await requireApiUser();
    const url = await createPortalSession(getDb(), stripe, user, { returnUrl: `${env().appUrl}/subscriptions` });
    return NextResponse.redirect(url, 303);
  } catch (err) {
    if (err instanceof AppError) return text(err.status, err.message);
    createLogger("stripe-portal").error("portal session failed", { request_id: req.headers.get(REQUEST_ID_HEADER) ?? undefined, error: err });
    return text(502, "Stripe did not open the billing portal. Please try again shortly.");
  }
}

function text(status: number, message: string): Response {
  return new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

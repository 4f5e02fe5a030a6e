import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { getStripe, stripeWebhookSecret } from "@/lib/stripe/client";
import { handleStripeWebhook } from "@/lib/stripe/webhook";

export const dynamic = "force-dynamic";

/**
 * Stripe webhooks. Thin: the signature is checked on the raw body (req.text(), never a parsed
 * and re-serialized JSON), everything else is lib/stripe/webhook.ts. 503 while Stripe is not
 * configured, so a misrouted delivery is retried rather than lost.
 */
export async function POST(req: Request): Promise<Response> {
  const stripe = getStripe();
  const secret = stripeWebhookSecret();
  if (!stripe || !secret) {
    return NextResponse.json({ error: "Stripe is not configured (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET)" }, { status: 503 });
  }
  const rawBody = await req.text();
  const result = await handleStripeWebhook(getDb(), stripe, { rawBody, signature: req.headers.get("stripe-signature"), secret });
  return NextResponse.json(result.body, { status: result.status });
}

import Stripe from "stripe";
import { env } from "@/lib/env";

/**
 * The one place a Stripe client is built. Stripe is on only when STRIPE_SECRET_KEY is set;
 * STRIPE_API_BASE (e.g. http://127.0.0.1:12111 for stripe-mock or the tests' fake) points the
 * official SDK at another endpoint through its host/port/protocol options, so every request
 * shape the app sends is the one the real API gets.
 */
export type StripeClientOptions = { secretKey: string; apiBase?: string; maxNetworkRetries?: number };

export function stripeEndpoint(apiBase: string | undefined): Pick<Stripe.StripeConfig, "host" | "port" | "protocol"> {
  if (!apiBase) return {};
  const url = new URL(apiBase);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: url.port || (protocol === "http" ? 80 : 443), protocol };
}

export function createStripeClient(opts: StripeClientOptions): Stripe {
  return new Stripe(opts.secretKey, {
    ...stripeEndpoint(opts.apiBase),
    // The SDK retries network failures with its own idempotency keys; our explicit keys and
    // meter-event identifiers make a retry of a whole job safe as well.
    maxNetworkRetries: opts.maxNetworkRetries ?? 2,
    telemetry: false,
    appInfo: { name: "tributary" },
  });
}

let cached: { key: string; base?: string; client: Stripe } | undefined;

/** The process's client, or null when Stripe is not configured (everything Stripe is then off). */
export function getStripe(): Stripe | null {
  const e = env();
  if (!e.STRIPE_SECRET_KEY) return null;
  if (!cached || cached.key !== e.STRIPE_SECRET_KEY || cached.base !== e.STRIPE_API_BASE) {
    cached = { key: e.STRIPE_SECRET_KEY, base: e.STRIPE_API_BASE, client: createStripeClient({ secretKey: e.STRIPE_SECRET_KEY, apiBase: e.STRIPE_API_BASE }) };
  }
  return cached.client;
}

export function stripeWebhookSecret(): string | null {
  return env().STRIPE_WEBHOOK_SECRET ?? null;
}

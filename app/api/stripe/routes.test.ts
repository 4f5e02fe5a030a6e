import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "@/lib/testing/db";

/**
 * The two Stripe route handlers as Next calls them, with the session cookie, next/headers and
 * the database handle replaced, and the official SDK pointed at the local fake Stripe through
 * STRIPE_API_BASE (the same variable a deployment would use for stripe-mock).
 */
const t = await createTestDatabase();
const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock("next-auth", () => ({ getServerSession: async () => (session.userId ? { user: { id: session.userId } } : null) }));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-tributary-path": "/subscriptions" }) }));
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<object>()), getDb: () => t.db }));

const { resetEnvCache, env } = await import("@/lib/env");
const { startFakeStripe } = await import("@/lib/stripe/testing/fake-stripe");
const { createStripeClient } = await import("@/lib/stripe/client");
const { ensureStripeCustomer } = await import("@/lib/stripe/service");
const { createBillingWorld } = await import("@/lib/stripe/test-fixtures");
const { signedEvent } = await import("@/lib/stripe/testing/helpers");
const webhook = await import("./webhook/route");
const portal = await import("./portal/route");

const fake = await startFakeStripe();
const stripe = createStripeClient({ secretKey: fake.secretKey, apiBase: fake.url, maxNetworkRetries: 0 });
const secret = "whsec_route_test";
afterAll(() => fake.close());

const withStripe = worldEnv(true);
function worldEnv(on: boolean) {
  return () => {
    // undefined unsets the variable (an empty STRIPE_API_BASE would not be a URL).
    vi.stubEnv("STRIPE_SECRET_KEY", on ? fake.secretKey : undefined);
    vi.stubEnv("STRIPE_API_BASE", on ? fake.url : undefined);
    vi.stubEnv("STRIPE_WEBHOOK_SECRET", on ? secret : undefined);
    resetEnvCache();
  };
}

const w = await createBillingWorld(t.db);
const noCustomer = await createBillingWorld(t.db);
const customerId = await ensureStripeCustomer(t.db, stripe, w.orgs.external.id);

beforeEach(() => {
  session.userId = null;
  withStripe();
});

const post = (path: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
  new Request(`http://localhost:3000${path}`, { method: "POST", body: init.body ?? "", headers: init.headers });

describe("POST /api/stripe/webhook", () => {
  it("answers 503 while Stripe is not configured", async () => {
    worldEnv(false)();
    const res = await webhook.POST(post("/api/stripe/webhook", { body: "{}" }));
    expect(res.status).toBe(503);
    expect((await res.json()).error).toMatch(/not configured/);
  });

  it("verifies the signature on the raw body: 400 with a reason when bad, 200 when good", async () => {
    const invoice = fake.addInvoice({ customer: customerId, status: "open" });
    const e = signedEvent(stripe, secret, "invoice.payment_failed", { id: invoice.id, object: "invoice", customer: customerId });
    const bad = await webhook.POST(post("/api/stripe/webhook", { body: e.payload, headers: { "stripe-signature": "t=1,v1=deadbeef" } }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/^Invalid signature/);
    const missing = await webhook.POST(post("/api/stripe/webhook", { body: e.payload }));
    expect(missing.status).toBe(400);
    const ok = await webhook.POST(post("/api/stripe/webhook", { body: e.payload, headers: { "stripe-signature": e.signature, "content-type": "application/json" } }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ received: true, type: "invoice.payment_failed", orgId: w.orgs.external.id });
  });
});

describe("POST /api/stripe/portal", () => {
  it("answers 503 while Stripe is not configured", async () => {
    worldEnv(false)();
    session.userId = w.users.partnerA.id;
    expect((await portal.POST(post("/api/stripe/portal"))).status).toBe(503);
  });

  it("refuses the signed-out (401), internal orgs (403), orgs without a customer (409) and cross-site forms (403)", async () => {
    const signedOut = await portal.POST(post("/api/stripe/portal"));
    expect(signedOut.status).toBe(401);
    session.userId = w.users.internalUser.id;
    const internal = await portal.POST(post("/api/stripe/portal"));
    expect(internal.status).toBe(403);
    expect(await internal.text()).toMatch(/charged back/);
    session.userId = noCustomer.users.partnerA.id;
    const none = await portal.POST(post("/api/stripe/portal"));
    expect(none.status).toBe(409);
    expect(await none.text()).toMatch(/no billing account yet/);
    session.userId = w.users.partnerA.id;
    const crossSite = await portal.POST(post("/api/stripe/portal", { headers: { origin: "https://evil.example" } }));
    expect(crossSite.status).toBe(403);
    expect(fake.calls("POST", "/v1/billing_portal/sessions")).toHaveLength(0);
  });

  it("redirects a member of the external org with 303 to a portal session of its own customer", async () => {
    session.userId = w.users.partnerB.id;
    const res = await portal.POST(post("/api/stripe/portal", { headers: { origin: "http://localhost:3000" } }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^https:\/\/billing\.stripe\.test\/session\/bps_/);
    const [call] = fake.calls("POST", "/v1/billing_portal/sessions");
    expect(call!.params).toEqual({ customer: customerId, return_url: `${env().appUrl}/subscriptions` });
  });
});

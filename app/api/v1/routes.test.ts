import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLog, dataProducts, memberships, plans, users } from "@/db/schema";
import type { Endpoint } from "@/lib/api/endpoint";
import { API_ENDPOINTS } from "@/lib/api/endpoints";
import type { ApiScope } from "@/lib/api/scopes";
import type { RouteMethod } from "@/lib/api/serve";
import { answer, callEndpoint, requestFor, startApiTestKafka, tokenFor, TEST_BROKER_ADMIN_PASSWORD, type ApiTestKafka, type Call } from "@/lib/api/testing";
import { createApiToken, revokeApiToken } from "@/lib/api/tokens";
import { loadSessionUser } from "@/lib/auth/queries";
import type { SessionUser } from "@/lib/auth/roles";
import { resetEnvCache } from "@/lib/env";
import { provisionSubscription } from "@/lib/provisioning/service";
import { subscribe } from "@/lib/subscriptions/service";
import { createSubscriptionWorld, subscribeToAutoPlan, type SubscriptionWorld } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";

/**
 * Every token API endpoint against the same table of refusals — unauthenticated, wrong scope,
 * wrong team, expired, revoked, a disabled user's token, a team token whose creator left the
 * team, malformed input, rate limit — and one successful call through its real route module
 * (app/api/v1/**), as Next calls it. Behaviour specific to one endpoint is in lib/api/api.test.ts.
 */
const t = await createTestDatabase();
const db = t.db;
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof import("@/db/client")>()), getDb: () => t.db }));

type RouteModule = Partial<Record<RouteMethod, (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>>>;

let kafka: ApiTestKafka;
const w: SubscriptionWorld = await createSubscriptionWorld(db);
/** Visible to internal users only (no plan open to external organizations). */
const internalOnly = await (async () => {
  const [p] = await db
    .insert(dataProducts)
    .values({ slug: `internal-only-${w.tag}`, name: "Internal only", domain: "network", ownerTeamId: w.teams.ownerTeam.id, status: "published" })
    .returning();
  await db.insert(plans).values({ productId: p!.id, tierId: w.tiers.masked.id, name: "Internal", approval: "auto" });
  return { slug: p!.slug };
})();
const finance: SessionUser = await (async () => {
  const [u] = await db.insert(users).values({ email: `finance-${w.tag}@test.tributary`, name: "Fin", orgId: w.users.owner.orgId, roles: ["finance"] }).returning();
  return (await loadSessionUser(db, u!.id))!;
})();

beforeAll(async () => {
  kafka = await startApiTestKafka();
  // Route modules build their own Kafka deps from the environment (credential rotation).
  vi.stubEnv("KAFKA_BROKERS", kafka.broker.bootstrap);
  vi.stubEnv("KAFKA_SASL_MECHANISM", "scram-sha-512");
  vi.stubEnv("KAFKA_SASL_USERNAME", "admin");
  vi.stubEnv("KAFKA_SASL_PASSWORD", TEST_BROKER_ADMIN_PASSWORD);
  resetEnvCache();
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  resetEnvCache();
  await kafka?.close();
});

const call = (ep: Endpoint, c: Call) => callEndpoint(db, ep, c, kafka.deps);

async function pendingRequest(world: SubscriptionWorld): Promise<string> {
  const filed = await subscribe(db, world.users.consumer, {
    productId: world.product.id,
    planId: world.plans.reviewPlan.id,
    teamId: world.teams.consumerTeam.id,
    purpose: "fraud-detection",
    justification: "Chargeback checks",
  });
  if (filed.kind !== "access_request") throw new Error("expected an access request");
  return filed.requestId;
}

async function activeSubscription(world: SubscriptionWorld): Promise<string> {
  const { subscriptionId } = await subscribeToAutoPlan(db, world);
  expect(await provisionSubscription(db, { provisioner: kafka.provisioner, connection: kafka.adminConn }, { subscriptionId })).toBe("active");
  return subscriptionId;
}

type Expectation = { status: number; check?: (json: Record<string, unknown>) => void };

type Row = {
  ep: Endpoint;
  route: () => Promise<RouteModule>;
  /** Someone allowed, and a call that succeeds (set up fresh: some of these change state). */
  allowed: () => Promise<{ user: SessionUser; call: Call; status: number }>;
  /** Someone on another team (or without the role), refused or shown nothing. Null only where no team applies. */
  wrongTeam: (() => Promise<{ user: SessionUser; call: Call; before?: () => Promise<void> } & Expectation>) | null;
  /** Invalid inputs, each with the fields its 422 must name. Empty only for endpoints without input. */
  malformed: { call: Call; fields: string[] }[];
};

/** A fresh world whose consumer team holds an auto-approved subscription. */
async function subscribedWorld() {
  const world = await createSubscriptionWorld(db);
  return { world, subscriptionId: (await subscribeToAutoPlan(db, world)).subscriptionId };
}

const rows: Row[] = [
  {
    ep: API_ENDPOINTS.find((e) => e.operationId === "searchCatalog")!,
    route: () => import("./catalog/route"),
    allowed: async () => ({ user: w.users.consumer, call: { query: `q=${encodeURIComponent(`Cell events ${w.tag}`)}` }, status: 200 }),
    // Team-independent, but visibility applies: an external user does not find an internal-only product.
    wrongTeam: async () => ({
      user: w.users.partner,
      call: { query: `q=${encodeURIComponent("Internal only")}` },
      status: 200,
      check: (json) => expect((json.items as { slug: string }[]).map((i) => i.slug)).not.toContain(internalOnly.slug),
    }),
    malformed: [
      { call: { query: `q=${"x".repeat(501)}` }, fields: ["q"] },
      { call: { query: "page=0&sort=loudest" }, fields: ["page", "sort"] },
    ],
  },
  {
    ep: API_ENDPOINTS.find((e) => e.operationId === "getProduct")!,
    route: () => import("./products/[slug]/route"),
    allowed: async () => ({ user: w.users.consumer, call: { params: { slug: w.product.slug } }, status: 200 }),
    wrongTeam: async () => ({ user: w.users.partner, call: { params: { slug: internalOnly.slug } }, status: 404 }),
    malformed: [{ call: { params: { slug: "Not A Slug!" } }, fields: ["slug"] }],
  },
  {
    ep: API_ENDPOINTS.find((e) => e.operationId === "getContract")!,
    route: () => import("./products/[slug]/contract/route"),
    allowed: async () => ({ user: w.users.consumer, call: { params: { slug: w.product.slug }, query: "version=1.2.0" }, status: 200 }),
    wrongTeam: async () => ({ user: w.users.partner, call: { params: { slug: internalOnly.slug } }, status: 404 }),
    malformed: [
      { call: { params: { slug: w.product.slug }, query: "version=latest" }, fields: ["version"] },
      { call: { params: { slug: "UPPER" } }, fields: ["slug"] },
    ],
  },
  {
    ep: API_ENDPOINTS.find((e) => e.operationId === "listSubscriptions")!,
    route: () => import("./subscriptions/route"),
    allowed: async () => ({ user: w.users.consumer, call: { query: `teamId=${w.teams.consumerTeam.id}` }, status: 200 }),
    wrongTeam: async () => ({ user: w.users.consumer, call: { query: `teamId=${w.teams.otherTeam.id}` }, status: 403 }),
    malformed: [{ call: { query: "teamId=care" }, fields: ["teamId"] }],
  },
  {
    ep: API_ENDPOINTS.find((e) => e.operationId === "subscribe")!,
    route: () => import("./subscriptions/route"),
    allowed: async () => {
      const fresh = await createSubscriptionWorld(db);
      return {
        user: fresh.users.consumer,
        call: { body: { productId: fresh.product.id, planId: fresh.plans.autoPlan.id, teamId: fresh.teams.consumerTeam.id, purpose: "analytics" } },
        status: 201,
      };
    },
    wrongTeam: async () => ({
      user: w.users.consumer,
      call: { body: { productId: w.product.id, planId: w.plans.autoPlan.id, teamId: w.teams.otherTeam.id, purpose: "analytics" } },
      status: 403,
    }),
    malformed: [
      { call: { body: { productId: "nope", teamId: w.teams.consumerTeam.id } }, fields: ["productId", "planId", "purpose"] },
      { call: { body: { productId: w.product.id, planId: w.plans.autoPlan.id, teamId: 42, purpose: "" } }, fields: ["teamId"] },
    ],
  },
  {
    ep: API_ENDPOINTS.find((e) => e.operationId === "rotateCredentials")!,
    route: () => import("./subscriptions/[id]/credentials/rotate/route"),
    allowed: async () => {
      const fresh = await createSubscriptionWorld(db);
      return { user: fresh.users.colleague, call: { params: { id: await activeSubscription(fresh) } }, status: 200 };
    },
    // Another team's subscription answers like a missing one.
    wrongTeam: async () => {
      const { world, subscriptionId } = await subscribedWorld();
      return { user: world.users.outsider, call: { params: { id: subscriptionId } }, status: 404 };
    },
    malformed: [{ call: { params: { id: "123" } }, fields: ["id"] }],
  },
  {
    ep: API_ENDPOINTS.find((e) => e.operationId === "getSubscriptionUsage")!,
    route: () => import("./subscriptions/[id]/usage/route"),
    allowed: async () => {
      const { world, subscriptionId } = await subscribedWorld();
      return { user: world.users.consumer, call: { params: { id: subscriptionId }, query: "days=7" }, status: 200 };
    },
    wrongTeam: async () => {
      const { world, subscriptionId } = await subscribedWorld();
      return { user: world.users.outsider, call: { params: { id: subscriptionId } }, status: 404 };
    },
    malformed: [
      { call: { params: { id: "123" } }, fields: ["id"] },
      { call: { params: { id: "00000000-0000-4000-8000-000000000000" }, query: "days=0" }, fields: ["days"] },
      { call: { params: { id: "00000000-0000-4000-8000-000000000000" }, query: "days=a-week" }, fields: ["days"] },
    ],
  },
  {
    ep: API_ENDPOINTS.find((e) => e.operationId === "getProductUsage")!,
    route: () => import("./products/[slug]/usage/route"),
    allowed: async () => ({ user: w.users.owner, call: { params: { slug: w.product.slug } }, status: 200 }),
    wrongTeam: async () => ({ user: w.users.consumer, call: { params: { slug: w.product.slug } }, status: 404 }),
    malformed: [
      { call: { params: { slug: w.product.slug }, query: "days=31" }, fields: ["days"] },
      { call: { params: { slug: "no spaces" } }, fields: ["slug"] },
    ],
  },
  {
    ep: API_ENDPOINTS.find((e) => e.operationId === "listAccessRequests")!,
    route: () => import("./access-requests/route"),
    allowed: async () => ({ user: w.users.owner, call: {}, status: 200 }),
    // Another team's owner does not see this product's requests.
    wrongTeam: async () => {
      const id = await pendingRequest(await createSubscriptionWorld(db));
      return { user: w.users.outsider, call: {}, status: 200, check: (json) => expect((json.items as { id: string }[]).map((i) => i.id)).not.toContain(id) };
    },
    malformed: [],
  },
  {
    ep: API_ENDPOINTS.find((e) => e.operationId === "approveAccessRequest")!,
    route: () => import("./access-requests/[id]/approve/route"),
    allowed: async () => {
      const fresh = await createSubscriptionWorld(db);
      return { user: fresh.users.owner, call: { params: { id: await pendingRequest(fresh) }, body: {} }, status: 200 };
    },
    wrongTeam: async () => {
      const fresh = await createSubscriptionWorld(db);
      return { user: fresh.users.outsider, call: { params: { id: await pendingRequest(fresh) }, body: {} }, status: 403 };
    },
    malformed: [
      { call: { params: { id: "r1" }, body: {} }, fields: ["id"] },
      { call: { params: { id: "00000000-0000-4000-8000-000000000000" }, body: { planId: "premium", expiresAt: "soon" } }, fields: ["planId", "expiresAt"] },
    ],
  },
  {
    ep: API_ENDPOINTS.find((e) => e.operationId === "denyAccessRequest")!,
    route: () => import("./access-requests/[id]/deny/route"),
    allowed: async () => {
      const fresh = await createSubscriptionWorld(db);
      return { user: fresh.users.owner, call: { params: { id: await pendingRequest(fresh) }, body: { reason: "Not for this purpose" } }, status: 200 };
    },
    wrongTeam: async () => {
      const fresh = await createSubscriptionWorld(db);
      return { user: fresh.users.outsider, call: { params: { id: await pendingRequest(fresh) }, body: { reason: "No" } }, status: 403 };
    },
    malformed: [
      { call: { params: { id: "00000000-0000-4000-8000-000000000000" }, body: {} }, fields: ["reason"] },
      { call: { params: { id: "00000000-0000-4000-8000-000000000000" }, body: { reason: "   " } }, fields: ["reason"] },
    ],
  },
  {
    ep: API_ENDPOINTS.find((e) => e.operationId === "getChargeback")!,
    route: () => import("./chargeback/route"),
    allowed: async () => ({ user: finance, call: { query: "period=2026-10&level=team" }, status: 200 }),
    // Not a team resource: finance data needs the finance or admin role, checked on every call.
    wrongTeam: async () => {
      const [u] = await db.insert(users).values({ email: `ex-finance-${crypto.randomUUID()}@test.tributary`, name: "Ex", orgId: w.users.owner.orgId, roles: ["finance"] }).returning();
      const user = (await loadSessionUser(db, u!.id))!;
      return { user, call: { query: "period=2026-10" }, status: 403, before: () => db.update(users).set({ roles: [] }).where(eq(users.id, u!.id)).then(() => undefined) };
    },
    malformed: [
      { call: { query: "period=October" }, fields: ["period"] },
      { call: { query: "period=2026-10&level=galaxy" }, fields: ["level"] },
    ],
  },
];

/** finance:read cannot be a team token or held by non-finance users; any scope shows that auth comes first. */
const teamScope = (ep: Endpoint): ApiScope => (ep.scope === "finance:read" ? "usage:read" : ep.scope);
const userFor = (ep: Endpoint, fallback: SessionUser) => (ep.scope === "finance:read" ? finance : fallback);

async function newUser(teamId: string, role: "member" | "owner"): Promise<SessionUser> {
  const [u] = await db.insert(users).values({ email: `u-${crypto.randomUUID()}@test.tributary`, name: "U", orgId: w.users.owner.orgId }).returning();
  await db.insert(memberships).values({ userId: u!.id, teamId, role });
  return (await loadSessionUser(db, u!.id))!;
}

function expect401(res: Awaited<ReturnType<typeof call>>, message: RegExp) {
  expect(res.status).toBe(401);
  expect(res.json.error!.code).toBe("unauthenticated");
  expect(res.json.error!.message).toMatch(message);
  expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  expect(res.json.requestId).toBe(res.headers.get("x-request-id"));
}

describe("the table covers the whole API", () => {
  it("has one row per endpoint, and malformed cases for every endpoint that takes input", () => {
    expect(rows.map((r) => r.ep.operationId).sort()).toEqual(API_ENDPOINTS.map((e) => e.operationId).sort());
    for (const r of rows) expect(r.malformed.length > 0, r.ep.operationId).toBe(Boolean(r.ep.params || r.ep.query || r.ep.body));
  });
});

describe.each(rows.map((r) => [r.ep.operationId, r] as const))("%s", (_name, row) => {
  const ep = row.ep;

  it("401 without a token, with another scheme, with a malformed or unknown token", async () => {
    expect401(await call(ep, {}), /Send an API token/);
    expect401(await call(ep, { authorization: "Basic dXNlcjpwdw==" }), /Send an API token/);
    expect401(await call(ep, { token: "trb_short" }), /malformed/);
    expect401(await call(ep, { token: "trb_" + "A".repeat(40) }), /not valid/);
  });

  it("403 for a token without its scope, audited as the token's", async () => {
    const user = userFor(ep, w.users.consumer);
    const other: ApiScope = ep.scope === "catalog:read" ? "usage:read" : "catalog:read";
    const res = await call(ep, { token: await tokenFor(db, user, [other]) });
    expect(res.status).toBe(403);
    expect(res.json.error).toMatchObject({ code: "forbidden", message: expect.stringContaining(ep.scope) });
    const [entry] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "api.scope_denied"), eq(auditLog.correlationId, res.headers.get("x-request-id")!)));
    expect(entry).toMatchObject({ actorType: "token", actorId: user.id, result: "denied", details: expect.objectContaining({ operation: ep.operationId, needed: ep.scope }) });
  });

  it("401 for an expired token and for a revoked one", async () => {
    const user = userFor(ep, w.users.consumer);
    const token = await createApiToken(db, user, { name: "t", scopes: [ep.scope], expiresInDays: 1 });
    expect401(await call(ep, { token: token.token, deps: { ...kafka.deps, now: () => new Date(Date.now() + 2 * 86400_000) } }), /expired/);
    await revokeApiToken(db, user, { tokenId: token.id });
    expect401(await call(ep, { token: token.token }), /revoked/);
  });

  it("401 for a disabled user's token and for a team token whose creator left the team", async () => {
    const member = await newUser(w.teams.consumerTeam.id, "member");
    const personal = await tokenFor(db, member, [teamScope(ep)]);
    await db.update(users).set({ disabled: true }).where(eq(users.id, member.id));
    expect401(await call(ep, { token: personal }), /disabled or gone/);

    const owner = await newUser(w.teams.ownerTeam.id, "owner");
    const team = await tokenFor(db, owner, [teamScope(ep)], { teamId: w.teams.ownerTeam.id });
    await db.delete(memberships).where(and(eq(memberships.userId, owner.id), eq(memberships.teamId, w.teams.ownerTeam.id)));
    expect401(await call(ep, { token: team }), /no longer a member of its team/);
  });

  it("answers for the wrong team without acting or revealing", async () => {
    if (!row.wrongTeam) throw new Error("every endpoint has a wrong-team or visibility case");
    const c = await row.wrongTeam();
    const token = await tokenFor(db, c.user, [ep.scope]);
    await c.before?.();
    const res = await call(ep, { ...c.call, token });
    expect(res.status, JSON.stringify(res.json)).toBe(c.status);
    if (c.status >= 400) expect(res.json.error!.code).toBe(c.status === 403 ? "forbidden" : "not_found");
    c.check?.(res.json);
  });

  it("422 with field errors for malformed input", async () => {
    const user = userFor(ep, w.users.consumer);
    const token = await tokenFor(db, user, [ep.scope]);
    for (const m of row.malformed) {
      const res = await call(ep, { ...m.call, token });
      expect(res.status, JSON.stringify(m.call)).toBe(422);
      expect(res.json.error!.code).toBe("validation");
      expect(Object.keys(res.json.error!.fieldErrors ?? {})).toEqual(expect.arrayContaining(m.fields));
    }
    if (ep.body) {
      // The last malformed case has a valid path, so the body is what fails.
      const notJson = await call(ep, { params: row.malformed.at(-1)!.call.params, rawBody: "{not json", token });
      expect(notJson.status).toBe(400);
      expect(notJson.json.error!.message).toMatch(/not valid JSON/);
    }
  });

  it("429 with Retry-After once the token's budget for the minute is spent", async () => {
    const user = userFor(ep, w.users.consumer);
    const token = await tokenFor(db, user, [ep.scope]);
    const limited = { ...kafka.deps, rateLimitPerMinute: 2, now: () => new Date("2026-11-22T10:00:10Z") };
    for (let i = 0; i < 2; i++) expect((await call(ep, { token, deps: limited })).status).not.toBe(429);
    const res = await call(ep, { token, deps: limited });
    expect(res.status).toBe(429);
    expect(res.json.error!.code).toBe("rate_limited");
    expect(res.headers.get("retry-after")).toBe("50");
    expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
  });

  it("succeeds through its route module under app/api/v1", async () => {
    const mod = await row.route();
    const handler = mod[ep.method];
    expect(handler, `route module exports ${ep.method}`).toBeTypeOf("function");
    const a = await row.allowed();
    const res = await answer(await handler!(requestFor(ep, { ...a.call, token: await tokenFor(db, a.user, [ep.scope]) }), { params: Promise.resolve(a.call.params ?? {}) }));
    expect(res.status, JSON.stringify(res.json)).toBe(a.status);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.json.error).toBeUndefined();
  });
});

describe("/api/v1 outside its operations", () => {
  it("serves the OpenAPI document", async () => {
    const { GET } = await import("./openapi.json/route");
    const res = GET();
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/catalog", "/subscriptions/{id}/usage", "/products/{slug}/usage"]));
  });

  it("an unknown path is a JSON 404 with the request id", async () => {
    const rest = await import("./[...rest]/route");
    const res = await rest.GET(new Request("http://localhost/api/v1/nope", { headers: { "x-request-id": "req-404-test" } }));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.headers.get("x-request-id")).toBe("req-404-test");
    expect(await res.json()).toEqual({
      error: { code: "not_found", message: "No API operation at GET /api/v1/nope. See /api/v1/openapi.json." },
      requestId: "req-404-test",
    });
    const post = await rest.POST(new Request("http://localhost/api/v1/nope", { method: "POST" }));
    const body = await post.json();
    expect(body.requestId).toBe(post.headers.get("x-request-id"));
  });

  it("a wrong method on an existing path is a JSON 405 naming the allowed methods", async () => {
    const ctx = { params: Promise.resolve({}) };
    const catalog = await import("./catalog/route");
    const res = await catalog.POST(new Request("http://localhost/api/v1/catalog", { method: "POST", body: "{}" }), ctx);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    const body = await res.json();
    expect(body.error.code).toBe("method_not_allowed");
    expect(body.error.message).toMatch(/POST is not allowed here; use GET/);
    expect(body.requestId).toBe(res.headers.get("x-request-id"));

    const subscriptions = await import("./subscriptions/route");
    const del = await subscriptions.DELETE(new Request("http://localhost/api/v1/subscriptions", { method: "DELETE" }), ctx);
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, POST");
    const openapi = await import("./openapi.json/route");
    expect((await openapi.PUT(new Request("http://localhost/api/v1/openapi.json", { method: "PUT" }), ctx)).status).toBe(405);
  });
});

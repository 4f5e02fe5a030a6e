import { Kafka, logLevel } from "kafkajs";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessRequests, apiTokens, auditLog, subscriptions, usageLedger, users } from "@/db/schema";
import { loadSessionUser } from "@/lib/auth/queries";
import { provisionSubscription } from "@/lib/provisioning/service";
import { createSubscriptionWorld, subscribeToAutoPlan, type SubscriptionWorld } from "@/lib/subscriptions/test-fixtures";
import type { SessionUser } from "@/lib/auth/roles";
import { createTestDatabase } from "@/lib/testing/db";
import type { ApiDeps, Endpoint } from "./endpoint";
import {
  API_ENDPOINTS,
  approveAccessRequestEndpoint,
  chargebackEndpoint,
  denyAccessRequestEndpoint,
  getContractEndpoint,
  getProductEndpoint,
  listAccessRequestsEndpoint,
  listSubscriptionsEndpoint,
  productUsageEndpoint,
  rotateCredentialsEndpoint,
  searchCatalogEndpoint,
  subscribeEndpoint,
  subscriptionUsageEndpoint,
} from "./endpoints";
import { buildOpenApiDocument } from "./openapi";
import type { ApiScope } from "./scopes";
import { callEndpoint, startApiTestKafka, tokenFor as tokenForUser, type ApiTestKafka, type Call } from "./testing";
import { createApiToken, listApiTokens, revokeApiToken } from "./tokens";

const t = await createTestDatabase();
const db = t.db;
let kafka: ApiTestKafka;
let broker: ApiTestKafka["broker"];
let provisioner: ApiTestKafka["provisioner"];
let adminConn: ApiTestKafka["adminConn"];
let deps: ApiDeps;
let w: SubscriptionWorld;

beforeAll(async () => {
  kafka = await startApiTestKafka();
  ({ broker, provisioner, adminConn, deps } = kafka);
  w = await createSubscriptionWorld(db);
}, 60_000);

afterAll(() => kafka?.close());

const tokenFor = (user: SessionUser, scopes?: ApiScope[], opts?: { teamId?: string; days?: number }) => tokenForUser(db, user, scopes, opts);
const call = (ep: Endpoint, c: Call = {}) => callEndpoint(db, ep, c, deps);

describe("tokens", () => {
  it("are shown once, stored only as a hash, listed with their prefix and revocable by their owner only", async () => {
    const created = await createApiToken(db, w.users.consumer, { name: "ci", scopes: ["catalog:read"], expiresInDays: 7 });
    expect(created.token).toMatch(/^trb_[A-Za-z0-9_-]{40}$/);
    const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, created.id));
    expect(row!.tokenHash).not.toContain(created.token);
    expect(JSON.stringify(row)).not.toContain(created.token.slice(12));
    const listed = await listApiTokens(db, w.users.consumer);
    expect(listed.find((l) => l.id === created.id)).toMatchObject({ prefix: created.token.slice(0, 12), scopes: ["catalog:read"] });
    expect((await listApiTokens(db, w.users.colleague)).some((l) => l.id === created.id)).toBe(false);
    await expect(revokeApiToken(db, w.users.colleague, { tokenId: created.id })).rejects.toMatchObject({ code: "forbidden" });
    await revokeApiToken(db, w.users.consumer, { tokenId: created.id });
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, created.id)));
    expect(audits.map((a) => a.action).sort()).toEqual(["api_token.create", "api_token.revoke"]);
  });

  it("team tokens need a team owner; finance:read needs a finance user and a personal token", async () => {
    await expect(createApiToken(db, w.users.consumer, { name: "x", scopes: ["catalog:read"], expiresInDays: 1, teamId: w.teams.consumerTeam.id })).rejects.toMatchObject({ code: "forbidden" });
    await expect(createApiToken(db, w.users.consumer, { name: "x", scopes: ["finance:read"], expiresInDays: 1 })).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { scopes: [expect.stringMatching(/finance/)] },
    });
    const team = await createApiToken(db, w.users.owner, { name: "team", scopes: ["requests:read"], expiresInDays: 1, teamId: w.teams.ownerTeam.id });
    expect(team.teamId).toBe(w.teams.ownerTeam.id);
    expect((await listApiTokens(db, w.users.dualOwner)).some((l) => l.id === team.id)).toBe(true);
  });
});

describe("catalog", () => {
  it("searches, reads a product and its contract, 404s an unknown slug and 422s a bad version", async () => {
    const token = await tokenFor(w.users.consumer, ["catalog:read"]);
    const found = await call(searchCatalogEndpoint, { token, query: `q=${encodeURIComponent("Cell events " + w.tag)}` });
    expect(found.status).toBe(200);
    expect((found.json.items as { slug: string }[]).map((i) => i.slug)).toContain(w.product.slug);

    const product = await call(getProductEndpoint, { token, params: { slug: w.product.slug } });
    expect(product.status).toBe(200);
    expect(product.json).toMatchObject({ slug: w.product.slug, contract: { version: "1.2.0" } });
    expect((product.json.plans as { name: string }[]).map((p) => p.name)).toContain("Internal free");

    expect((await call(getProductEndpoint, { token, params: { slug: "no-such-product" } })).status).toBe(404);
    const contract = await call(getContractEndpoint, { token, params: { slug: w.product.slug }, query: "version=1.2.0" });
    expect(contract.json).toMatchObject({ version: "1.2.0", purposes: ["analytics", "fraud-detection"] });
    const bad = await call(getContractEndpoint, { token, params: { slug: w.product.slug }, query: "version=latest" });
    expect(bad.status).toBe(422);
    expect(bad.json.error!.fieldErrors!.version).toBeDefined();
  });

  it("external users only see plans open to external organizations", async () => {
    const token = await tokenFor(w.users.partner, ["catalog:read"]);
    const product = await call(getProductEndpoint, { token, params: { slug: w.product.slug } });
    expect((product.json.plans as { externalAllowed: boolean }[]).every((p) => p.externalAllowed)).toBe(true);
  });
});

describe("subscriptions and access requests", () => {
  it("subscribes through the same service as the UI, with field errors for a malformed body", async () => {
    const token = await tokenFor(w.users.colleague, ["subscriptions:write", "subscriptions:read"]);
    const malformed = await call(subscribeEndpoint, { token, rawBody: "{not json" });
    expect(malformed.status).toBe(400);
    const invalid = await call(subscribeEndpoint, { token, body: { productId: "nope", teamId: w.teams.consumerTeam.id } });
    expect(invalid.status).toBe(422);
    expect(Object.keys(invalid.json.error!.fieldErrors!)).toEqual(expect.arrayContaining(["productId", "planId", "purpose"]));

    const wrongTeam = await call(subscribeEndpoint, {
      token,
      body: { productId: w.product.id, planId: w.plans.autoPlan.id, teamId: w.teams.otherTeam.id, purpose: "analytics" },
    });
    expect(wrongTeam.status).toBe(403);

    const ok = await call(subscribeEndpoint, {
      token,
      body: { productId: w.product.id, planId: w.plans.autoPlan.id, teamId: w.teams.consumerTeam.id, purpose: "analytics" },
    });
    expect(ok.status).toBe(201);
    expect(ok.json.kind).toBe("subscription");
    const list = await call(listSubscriptionsEndpoint, { token });
    expect((list.json.items as { id: string }[]).map((i) => i.id)).toContain(ok.json.subscriptionId);
    const otherTeamList = await call(listSubscriptionsEndpoint, { token, query: `teamId=${w.teams.otherTeam.id}` });
    expect(otherTeamList.status).toBe(403);
  });

  it("owners list, approve and deny requests; four eyes and non-owners are refused", async () => {
    const consumerToken = await tokenFor(w.users.consumer, ["subscriptions:write"]);
    const filed = await call(subscribeEndpoint, {
      token: consumerToken,
      body: { productId: w.product.id, planId: w.plans.reviewPlan.id, teamId: w.teams.consumerTeam.id, purpose: "fraud-detection", justification: "Chargeback checks" },
    });
    expect(filed.json.kind).toBe("access_request");
    const requestId = filed.json.requestId as string;

    const ownerToken = await tokenFor(w.users.owner, ["requests:read", "requests:write"]);
    const queue = await call(listAccessRequestsEndpoint, { token: ownerToken });
    expect((queue.json.items as { id: string }[]).map((i) => i.id)).toContain(requestId);

    const nonOwner = await call(approveAccessRequestEndpoint, { token: await tokenFor(w.users.outsider, ["requests:write"]), params: { id: requestId }, body: {} });
    expect(nonOwner.status).toBe(403);
    const fourEyes = await call(approveAccessRequestEndpoint, { token: await tokenFor(w.users.dualOwner, ["requests:write"]), params: { id: requestId }, body: {} });
    expect(fourEyes.status).toBe(403);
    expect(fourEyes.json.error!.message).toMatch(/Four eyes/);

    const denyNoReason = await call(denyAccessRequestEndpoint, { token: ownerToken, params: { id: requestId }, body: {} });
    expect(denyNoReason.status).toBe(422);
    expect(denyNoReason.json.error!.fieldErrors!.reason).toBeDefined();

    const approved = await call(approveAccessRequestEndpoint, { token: ownerToken, params: { id: requestId }, body: {} });
    expect(approved.status).toBe(200);
    const [req] = await db.select().from(accessRequests).where(eq(accessRequests.id, requestId));
    expect(req!.status).toBe("approved");
    // The service's audit entry says a token made the call, which one, and from which request.
    const [entry] = await db.select().from(auditLog).where(and(eq(auditLog.action, "access_request.approve"), eq(auditLog.resourceId, requestId)));
    expect(entry).toMatchObject({
      actorType: "token",
      actorId: w.users.owner.id,
      correlationId: approved.headers.get("x-request-id"),
      ip: "198.51.100.23",
      userAgent: "api-test/1.0",
      details: expect.objectContaining({ token: { id: expect.any(String), prefix: ownerToken.slice(0, 12) } }),
    });
    expect((await call(approveAccessRequestEndpoint, { token: ownerToken, params: { id: requestId }, body: {} })).status).toBe(409);
  });

  it("rotates a credential for the subscribing team only, returning a password that authenticates", async () => {
    const w2 = await createSubscriptionWorld(db);
    const { subscriptionId } = await subscribeToAutoPlan(db, w2);
    expect(await provisionSubscription(db, { provisioner, connection: adminConn }, { subscriptionId })).toBe("active");

    const outsider = await call(rotateCredentialsEndpoint, { token: await tokenFor(w2.users.outsider, ["credentials:write"]), params: { id: subscriptionId } });
    // Another team's subscription looks like a missing one: ids leak nothing.
    expect(outsider.status).toBe(404);
    const badId = await call(rotateCredentialsEndpoint, { token: await tokenFor(w2.users.consumer, ["credentials:write"]), params: { id: "123" } });
    expect(badId.status).toBe(422);

    const res = await call(rotateCredentialsEndpoint, { token: await tokenFor(w2.users.colleague, ["credentials:write"]), params: { id: subscriptionId } });
    expect(res.status).toBe(200);
    const { username, password } = res.json as { username: string; password: string };
    const admin = new Kafka({ clientId: "t", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: "scram-sha-512", username, password } }).admin();
    await admin.connect();
    await admin.disconnect();
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId));
    expect(sub!.principal).toBe(`User:${username}`);
  });

  it("reads usage, cost and forecast like the UI: subscribing team, owners, finance and admin; 404 for others", async () => {
    const w3 = await createSubscriptionWorld(db);
    const { subscriptionId } = await subscribeToAutoPlan(db, w3);
    const today = new Date();
    const h = (d: number, hour: number) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - d, hour));
    await db.insert(usageLedger).values([
      { subscriptionId, hour: h(1, 3), messages: 10, bytes: 1000 },
      { subscriptionId, hour: h(1, 4), messages: 5, bytes: 500 },
      { subscriptionId, hour: h(0, 0), messages: 7, bytes: 700, lag: 3 },
    ]);
    const res = await call(subscriptionUsageEndpoint, { token: await tokenFor(w3.users.consumer, ["usage:read"]), params: { id: subscriptionId }, query: "days=2" });
    expect(res.status).toBe(200);
    expect(res.json.days).toEqual([
      { day: h(1, 0).toISOString().slice(0, 10), messages: 15, bytes: 1500 },
      { day: h(0, 0).toISOString().slice(0, 10), messages: 7, bytes: 700 },
    ]);
    expect(res.json.totals).toEqual({ messages: 22, bytes: 2200 });
    expect(res.json.lag).toMatchObject({ records: 3 });
    expect(res.json.cost).toMatchObject({ currency: expect.any(String), costToDateMinor: expect.any(Number), forecastMinor: expect.any(Number) });
    expect((await call(subscriptionUsageEndpoint, { token: await tokenFor(w3.users.consumer, ["usage:read"]), params: { id: subscriptionId } })).json.days).toHaveLength(30);
    // The product's owners see their consumers' usage, as on the product page.
    const owner = await call(subscriptionUsageEndpoint, { token: await tokenFor(w3.users.owner, ["usage:read"]), params: { id: subscriptionId } });
    expect(owner.status).toBe(200);
    expect(owner.json.subscriptionId).toBe(subscriptionId);
    expect((await call(subscriptionUsageEndpoint, { token: await tokenFor(w3.users.outsider, ["usage:read"]), params: { id: subscriptionId } })).status).toBe(404);

    const product = await call(productUsageEndpoint, { token: await tokenFor(w3.users.owner, ["usage:read"]), params: { slug: w3.product.slug } });
    expect(product.status).toBe(200);
    expect(product.json.subscriptions).toEqual([expect.objectContaining({ subscriptionId })]);
    expect((await call(productUsageEndpoint, { token: await tokenFor(w3.users.consumer, ["usage:read"]), params: { slug: w3.product.slug } })).status).toBe(404);
  });

  it("team tokens act only for their team", async () => {
    const token = (await createApiToken(db, w.users.dualOwner, { name: "team", scopes: ["subscriptions:read", "subscriptions:write"], expiresInDays: 1, teamId: w.teams.ownerTeam.id })).token;
    // dualOwner is also in the consumer team, but this token is scoped to the owning team only.
    const res = await call(listSubscriptionsEndpoint, { token, query: `teamId=${w.teams.consumerTeam.id}` });
    expect(res.status).toBe(403);
  });
});

describe("finance", () => {
  it("reads chargeback with a finance user's token; a user who lost the role gets 403 at once", async () => {
    const [u] = await db.insert(users).values({ email: `fin-${w.tag}@test.tributary`, name: "Fin", orgId: w.users.owner.orgId, roles: ["finance"] }).returning();
    const finance = (await loadSessionUser(db, u!.id))!;
    const token = await tokenFor(finance, ["finance:read"]);
    const ok = await call(chargebackEndpoint, { token, query: "period=2026-10&level=team" });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ period: "2026-10", level: "team", rows: expect.any(Array) });
    const bad = await call(chargebackEndpoint, { token, query: "period=October" });
    expect(bad.status).toBe(422);
    expect(bad.json.error!.fieldErrors!.period).toBeDefined();
    await db.update(users).set({ roles: [] }).where(eq(users.id, u!.id));
    expect((await call(chargebackEndpoint, { token, query: "period=2026-10" })).status).toBe(403);
  });
});

describe("OpenAPI", () => {
  it("documents every endpoint with its scope, parameters and request body", () => {
    const doc = buildOpenApiDocument("https://tributary.example");
    expect(doc.servers[0]!.url).toBe("https://tributary.example/api/v1");
    for (const ep of API_ENDPOINTS) {
      const op = doc.paths[ep.path]![ep.method.toLowerCase()] as Record<string, unknown>;
      expect(op, ep.operationId).toBeDefined();
      expect(op["x-required-scope"]).toBe(ep.scope);
      if (ep.body) expect(op.requestBody).toBeDefined();
    }
    const subscribe = doc.paths["/subscriptions"]!.post as { requestBody: { content: { "application/json": { schema: { required: string[] } } } } };
    expect(subscribe.requestBody.content["application/json"].schema.required).toEqual(expect.arrayContaining(["productId", "planId", "teamId", "purpose"]));
  });
});

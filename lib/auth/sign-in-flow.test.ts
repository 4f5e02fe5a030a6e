import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import type { NextAuthOptions } from "next-auth";
import { afterAll, describe, expect, it, vi } from "vitest";
import { auditLog, users } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { createInvitation } from "./invitations";
import { createUserFixture } from "./test-fixtures";

/**
 * The whole next-auth round trip, not just our functions: CSRF, the credentials callback and
 * the OIDC authorization-code flow with PKCE against a small in-process identity provider
 * that signs real RS256 ID tokens. Proves the provider configuration (wellKnown, checks,
 * idToken, profile mapping) and the callbacks work together with a real database.
 */
const t = await createTestDatabase();
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<object>()), getDb: () => t.db }));

const APP = "http://localhost:3999";
const CLIENT_ID = "tributary-test";
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const b64 = (v: object | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString("base64url");

/** What the fake IdP says about whoever "logs in" next, and the PKCE challenge it saw. */
const idp = { claims: {} as Record<string, unknown>, challenges: new Map<string, string>() };

function signIdToken(issuer: string, claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: "RS256", typ: "JWT", kid: "k1" });
  const body = b64({ iss: issuer, aud: CLIENT_ID, iat: now, exp: now + 300, ...claims });
  return `${head}.${body}.${b64(sign("sha256", Buffer.from(`${head}.${body}`), privateKey))}`;
}

const server: Server = createServer((req, res) => {
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = new URL(req.url ?? "/", issuer);
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === "/.well-known/openid-configuration") {
    return json(200, {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      code_challenge_methods_supported: ["S256"],
    });
  }
  if (url.pathname === "/jwks") return json(200, { keys: [{ ...publicKey.export({ format: "jwk" }), kid: "k1", alg: "RS256", use: "sig" }] });
  if (url.pathname === "/token" && req.method === "POST") {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const form = new URLSearchParams(raw);
      const code = form.get("code") ?? "";
      const verifier = form.get("code_verifier") ?? "";
      // PKCE: the verifier sent now must hash to the challenge sent with the authorize request.
      if (idp.challenges.get(code) !== createHash("sha256").update(verifier).digest("base64url")) return json(400, { error: "invalid_grant" });
      json(200, { access_token: randomBytes(16).toString("hex"), token_type: "Bearer", expires_in: 300, id_token: signIdToken(issuer, idp.claims) });
    });
    return;
  }
  json(404, { error: "not_found" });
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const ISSUER = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(() => new Promise<void>((r) => server.close(() => r())));

vi.stubEnv("NEXTAUTH_URL", APP);
vi.stubEnv("OIDC_ISSUER", ISSUER);
vi.stubEnv("OIDC_CLIENT_ID", CLIENT_ID);
vi.stubEnv("OIDC_CLIENT_SECRET", "test-secret");
resetEnvCache();

// next-auth 4 does not export its framework-neutral core ("next-auth/core") in its exports
// map, and its App Router wrapper reads cookies through next/headers, which needs a live Next
// request. The core is what that wrapper calls, so the test drives it by file path.
type AuthHandlerFn = (params: { req: Request; options: NextAuthOptions }) => Promise<{
  redirect?: string;
  body?: unknown;
  cookies?: { name: string; value: string; options?: { maxAge?: number } }[];
}>;
const { AuthHandler } = (await import(/* @vite-ignore */ `${process.cwd()}/node_modules/next-auth/core/index.js`)) as { AuthHandler: AuthHandlerFn };
const { authOptions } = await import("./options");

type Jar = Map<string, string>;
type Result = { redirect?: string; body: unknown };

/** One request through next-auth, keeping cookies like a browser would. */
async function call(jar: Jar, path: string, init: { method?: string; body?: Record<string, string> } = {}): Promise<Result> {
  const headers = new Headers({ host: "localhost:3999", "x-forwarded-for": "192.0.2.10" });
  if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
  if (init.body) headers.set("content-type", "application/json");
  const res = await AuthHandler({
    req: new Request(`${APP}/api/auth/${path}`, { method: init.method ?? "GET", headers, body: init.body ? JSON.stringify(init.body) : undefined }),
    options: authOptions(),
  });
  for (const c of res.cookies ?? []) {
    if (c.options?.maxAge === 0 || c.value === "") jar.delete(c.name);
    else jar.set(c.name, c.value);
  }
  return { redirect: res.redirect, body: res.body };
}

async function csrf(jar: Jar): Promise<string> {
  const res = await call(jar, "csrf");
  return (res.body as { csrfToken: string }).csrfToken;
}

async function sessionUserId(jar: Jar): Promise<string | undefined> {
  const res = await call(jar, "session");
  return (res.body as { user?: { id?: string } } | undefined)?.user?.id;
}

async function oidcSignIn(claims: Record<string, unknown>) {
  const jar: Jar = new Map();
  const csrfToken = await csrf(jar);
  const start = await call(jar, "signin/oidc", { method: "POST", body: { csrfToken, callbackUrl: `${APP}/catalog`, json: "true" } });
  const authorize = new URL(start.redirect ?? "");
  expect(authorize.origin + authorize.pathname).toBe(`${ISSUER}/authorize`);
  expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
  expect(authorize.searchParams.get("redirect_uri")).toBe(`${APP}/api/auth/callback/oidc`);
  const code = randomBytes(8).toString("hex");
  idp.challenges.set(code, authorize.searchParams.get("code_challenge") ?? "");
  idp.claims = claims;
  const done = await call(jar, `callback/oidc?code=${code}&state=${authorize.searchParams.get("state")}`);
  return { jar, redirect: done.redirect ?? "" };
}

describe("next-auth sign-in flow", () => {
  it("credentials: right password gives a session carrying our user id, wrong one does not; sign-out ends it", async () => {
    const { user, email } = await createUserFixture(t.db, { password: "flow password 123" });
    const jar: Jar = new Map();
    const bad = await call(jar, "callback/credentials", { method: "POST", body: { csrfToken: await csrf(jar), email, password: "nope", json: "true" } });
    expect(bad.redirect).toContain("error=CredentialsSignin");
    expect(await sessionUserId(jar)).toBeUndefined();
    const good = await call(jar, "callback/credentials", { method: "POST", body: { csrfToken: await csrf(jar), email, password: "flow password 123", callbackUrl: "/admin/users", json: "true" } });
    expect(good.redirect).toBe(`${APP}/admin/users`);
    expect(await sessionUserId(jar)).toBe(user.id);

    const out = await call(jar, "signout", { method: "POST", body: { csrfToken: await csrf(jar), callbackUrl: "/sign-in", json: "true" } });
    expect(out.redirect).toBe(`${APP}/sign-in`);
    expect(await sessionUserId(jar)).toBeUndefined();
    const audit = await t.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.actorId, user.id));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["auth.sign_in", "auth.sign_out"]));
  });

  it("credentials: refuses a POST without the CSRF token", async () => {
    const { email } = await createUserFixture(t.db, { password: "flow password 123" });
    const jar: Jar = new Map();
    await csrf(jar);
    const res = await call(jar, "callback/credentials", { method: "POST", body: { csrfToken: "forged", email, password: "flow password 123", json: "true" } });
    expect(res.redirect).toContain("csrf=true");
    expect(await sessionUserId(jar)).toBeUndefined();
  });

  it("credentials: a lockout reaches the browser as locked:<minutes>", async () => {
    const { email } = await createUserFixture(t.db, { password: "flow password 123" });
    const jar: Jar = new Map();
    let last;
    for (let i = 0; i < 5; i++) {
      last = await call(jar, "callback/credentials", { method: "POST", body: { csrfToken: await csrf(jar), email, password: `wrong ${i}`, json: "true" } });
    }
    expect(decodeURIComponent(last?.redirect ?? "")).toContain("error=locked:15");
  });

  it("OIDC: an invited address signs in, gets an account linked to its subject and a session with our id", async () => {
    const admin = await createUserFixture(t.db, { roles: ["admin"] });
    await createInvitation(t.db, { id: admin.user.id, email: admin.email }, { email: "sso.person@example.test", orgId: admin.org.id, teamId: admin.team.id, teamRole: "owner" });
    const { jar, redirect } = await oidcSignIn({ sub: "idp-user-42", email: "Sso.Person@example.test", email_verified: true, name: "Sso Person" });
    expect(redirect).toBe(`${APP}/catalog`);
    const [created] = await t.db.select().from(users).where(eq(users.email, "sso.person@example.test"));
    expect(created).toMatchObject({ oidcSubject: "idp-user-42", name: "Sso Person", passwordHash: null });
    expect(await sessionUserId(jar)).toBe(created.id);
  });

  it("OIDC: a stranger is sent back to sign-in with NoAccount and gets no session", async () => {
    const { jar, redirect } = await oidcSignIn({ sub: "idp-stranger", email: "stranger@elsewhere.test", email_verified: true });
    expect(redirect).toContain("/sign-in?error=NoAccount");
    expect(await sessionUserId(jar)).toBeUndefined();
    expect(await t.db.select().from(users).where(eq(users.email, "stranger@elsewhere.test"))).toEqual([]);
  });
});

import { beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "@/lib/testing/db";
import { setSetting } from "@/lib/settings/service";
import { createUserFixture } from "./test-fixtures";

/**
 * The guards as pages and actions call them, with the request-bound pieces replaced: the
 * next-auth session (who the cookie says), next/headers (the path) and the database handle.
 * redirect() and forbidden() are Next's real ones, so the thrown digests are what Next acts on.
 */
const t = await createTestDatabase();
// Next sets this from next.config.ts `experimental.authInterrupts`; forbidden() refuses without it.
vi.stubEnv("__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS", "1");
const session = vi.hoisted(() => ({ userId: null as string | null }));

vi.mock("next-auth", () => ({ getServerSession: async () => (session.userId ? { user: { id: session.userId } } : null) }));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-tributary-path": "/admin/users?tab=1" }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<object>()), getDb: () => t.db }));

const { requireApiUser, requireCatalogViewer, requireRole, requireUser, getSessionUser } = await import("./session");
const { inviteUserAction, revokeInvitationAction, setUserDisabledAction, signUpAction } = await import("./actions");
const { resetEnvCache } = await import("@/lib/env");
const { setPublicCatalogAction } = await import("@/lib/settings/actions");
const { buildAuthOptions } = await import("./options");

const digest = (p: Promise<unknown>) => p.then(() => "allowed", (e: { digest?: string }) => e.digest ?? String(e));
const SIGN_IN = "NEXT_REDIRECT;replace;/sign-in?callbackUrl=%2Fadmin%2Fusers%3Ftab%3D1;307;";
const FORBIDDEN = "NEXT_HTTP_ERROR_FALLBACK;403";

const consumer = await createUserFixture(t.db, { teamRole: "member" });
const owner = await createUserFixture(t.db, { teamRole: "owner" });
const finance = await createUserFixture(t.db, { roles: ["finance"] });
const admin = await createUserFixture(t.db, { roles: ["admin"] });
const disabledAdmin = await createUserFixture(t.db, { roles: ["admin"], disabled: true });

beforeEach(() => {
  session.userId = null;
});

describe("page guards", () => {
  it("redirects the signed-out to sign-in with the current path", async () => {
    expect(await digest(requireUser())).toBe(SIGN_IN);
    expect(await digest(requireRole("admin"))).toBe(SIGN_IN);
  });

  it("answers 403 for the wrong role and lets the right one through", async () => {
    const cases: [string, "admin" | "finance" | "owner", string][] = [
      [consumer.user.id, "admin", FORBIDDEN],
      [consumer.user.id, "owner", FORBIDDEN],
      [owner.user.id, "owner", "allowed"],
      [owner.user.id, "finance", FORBIDDEN],
      [finance.user.id, "finance", "allowed"],
      [finance.user.id, "admin", FORBIDDEN],
      [admin.user.id, "admin", "allowed"],
      [admin.user.id, "finance", "allowed"],
    ];
    for (const [id, role, expected] of cases) {
      session.userId = id;
      expect(`${role}:${await digest(requireRole(role))}`).toBe(`${role}:${expected}`);
    }
  });

  it("treats a disabled account as signed out even with a valid session", async () => {
    session.userId = disabledAdmin.user.id;
    expect(await getSessionUser()).toBeNull();
    expect(await digest(requireRole("admin"))).toBe(SIGN_IN);
  });

  it("lets signed-out visitors into the catalog only when it is public", async () => {
    expect(await digest(requireCatalogViewer())).toBe(SIGN_IN);
    await setSetting(t.db, "public_catalog", true, null);
    expect(await requireCatalogViewer()).toBeNull();
    session.userId = consumer.user.id;
    expect((await requireCatalogViewer())?.id).toBe(consumer.user.id);
    await setSetting(t.db, "public_catalog", false, null);
  });
});

describe("route handler guard", () => {
  it("throws 401 and 403 AppErrors instead of redirecting", async () => {
    await expect(requireApiUser()).rejects.toMatchObject({ code: "unauthenticated", status: 401 });
    session.userId = consumer.user.id;
    await expect(requireApiUser("finance")).rejects.toMatchObject({ code: "forbidden", status: 403 });
    expect((await requireApiUser()).id).toBe(consumer.user.id);
    session.userId = finance.user.id;
    expect((await requireApiUser("finance")).id).toBe(finance.user.id);
  });
});

describe("admin actions", () => {
  const invite = { email: "someone@example.test", orgId: admin.org.id, teamRole: "member" as const, roles: [] };

  it("reject the signed-out and non-admins, and run for admins", async () => {
    for (const [id, code] of [
      [null, "unauthenticated"],
      [consumer.user.id, "forbidden"],
      [finance.user.id, "forbidden"],
      [owner.user.id, "forbidden"],
    ] as const) {
      session.userId = id;
      const results = await Promise.all([
        inviteUserAction(invite),
        revokeInvitationAction({ invitationId: "00000000-0000-4000-8000-000000000000" }),
        setPublicCatalogAction({ publicCatalog: true }),
        setUserDisabledAction({ userId: admin.user.id, disabled: true }),
      ]);
      expect(results.map((r) => (r.ok ? "ok" : r.error.code))).toEqual([code, code, code, code]);
    }
    session.userId = admin.user.id;
    const ok = await inviteUserAction(invite);
    expect(ok.ok && ok.data.path).toMatch(/^\/invite\/[A-Za-z0-9_-]{43}$/);
  });

  it("return field errors for a bad invitation form", async () => {
    session.userId = admin.user.id;
    const form = new FormData();
    form.set("email", "not an email");
    form.set("orgId", "nope");
    const result = await inviteUserAction(null, form);
    expect(!result.ok && result.error.code).toBe("validation");
    expect(!result.ok && Object.keys(result.error.fieldErrors ?? {}).sort()).toEqual(["email", "orgId"]);
  });
});

describe("sign-up action", () => {
  const input = { name: "Pat", company: "Pat Ltd", email: "pat@signup.test", password: "a long partner passphrase", confirmPassword: "a long partner passphrase" };

  it("is closed unless ALLOW_SIGNUP is on", async () => {
    vi.stubEnv("ALLOW_SIGNUP", "");
    resetEnvCache();
    const closed = await signUpAction(input);
    expect(!closed.ok && closed.error.code).toBe("forbidden");
    vi.stubEnv("ALLOW_SIGNUP", "true");
    resetEnvCache();
    try {
      const open = await signUpAction(input);
      expect(open).toEqual({ ok: true, data: { email: "pat@signup.test" } });
    } finally {
      vi.stubEnv("ALLOW_SIGNUP", "");
      resetEnvCache();
    }
  });
});

describe("OIDC callbacks", () => {
  const callbacks = buildAuthOptions().callbacks!;
  const account = (sub: string) => ({ provider: "oidc", providerAccountId: sub, type: "oauth" as const });

  it("refuses an identity with no account and no invitation", async () => {
    const result = await callbacks.signIn!({
      user: { id: "x" },
      account: account("sub-stranger"),
      profile: { sub: "sub-stranger", email: "stranger@example.test", email_verified: true } as never,
    });
    expect(result).toBe("/sign-in?error=NoAccount");
  });

  it("signs a known user in and puts our user id, not the provider's subject, in the token", async () => {
    const result = await callbacks.signIn!({
      user: { id: "sub-consumer" },
      account: account("sub-consumer"),
      profile: { sub: "sub-consumer", email: consumer.email, email_verified: true } as never,
    });
    expect(result).toBe(true);
    const token = await callbacks.jwt!({ token: { sub: "sub-consumer" }, user: { id: "sub-consumer" }, account: account("sub-consumer") } as never);
    expect(token.sub).toBe(consumer.user.id);
  });

  it("keeps the user id for credentials sign-ins", async () => {
    const token = await callbacks.jwt!({ token: {}, user: { id: admin.user.id }, account: { provider: "credentials", providerAccountId: admin.user.id, type: "credentials" } } as never);
    expect(token.sub).toBe(admin.user.id);
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { authSecret, resetEnvCache } from "@/lib/env";
import { buildAuthOptions, clientIp } from "./options";

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

function withEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
  resetEnvCache();
}

describe("auth options", () => {
  it("offers only email + password unless all three OIDC variables are set", () => {
    withEnv({ OIDC_ISSUER: "https://sso.example.com/realms/acme", OIDC_CLIENT_ID: "tributary", OIDC_CLIENT_SECRET: undefined });
    expect(buildAuthOptions().providers.map((p) => p.id)).toEqual(["credentials"]);
    withEnv({ OIDC_CLIENT_SECRET: "s3cret", OIDC_NAME: "Acme SSO" });
    const oidc = buildAuthOptions().providers.find((p) => p.id === "oidc") as unknown as { name: string; wellKnown: string; type: string };
    expect(oidc).toMatchObject({ name: "Acme SSO", type: "oauth", wellKnown: "https://sso.example.com/realms/acme/.well-known/openid-configuration" });
  });

  it("uses JWT sessions and keeps redirects on this site", async () => {
    const opts = buildAuthOptions();
    expect(opts.session?.strategy).toBe("jwt");
    const redirect = opts.callbacks!.redirect!;
    const baseUrl = "http://localhost:3000";
    expect(await redirect({ url: "/products/x?tab=schema", baseUrl })).toBe("http://localhost:3000/products/x?tab=schema");
    expect(await redirect({ url: "http://localhost:3000/sign-in", baseUrl })).toBe("http://localhost:3000/sign-in");
    expect(await redirect({ url: "https://evil.example/phish", baseUrl })).toBe("http://localhost:3000/catalog");
    expect(await redirect({ url: "http://localhost:3000@evil.example/", baseUrl })).toBe("http://localhost:3000/catalog");
    expect(await redirect({ url: "//evil.example", baseUrl })).toBe("http://localhost:3000/catalog");
  });

  it("requires AUTH_SECRET in production and derives a stable one in development", () => {
    withEnv({ NODE_ENV: "development", AUTH_SECRET: undefined });
    const a = authSecret();
    resetEnvCache();
    expect(authSecret()).toBe(a);
    expect(a.length).toBeGreaterThanOrEqual(32);
    withEnv({ NODE_ENV: "production" });
    expect(() => authSecret()).toThrow(/AUTH_SECRET must be set/);
    withEnv({ AUTH_SECRET: "x".repeat(40) });
    expect(authSecret()).toBe("x".repeat(40));
  });

  it("takes the client address from the first forwarded hop", () => {
    expect(clientIp({ "x-forwarded-for": "203.0.113.9, 10.0.0.1" })).toBe("203.0.113.9");
    expect(clientIp({ "x-real-ip": "198.51.100.2" })).toBe("198.51.100.2");
    expect(clientIp({})).toBeNull();
    expect(clientIp(undefined)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { hasSessionCookie, isPublicPath, signInRedirectPath } from "./proxy-rules";

describe("proxy rules", () => {
  it("lets signed-out visitors reach sign-in, invitations, auth API and the catalog only", () => {
    for (const p of ["/", "/sign-in", "/invite/abc", "/api/auth/session", "/catalog", "/products/cell-kpis"]) expect(isPublicPath(p)).toBe(true);
    for (const p of ["/admin/users", "/subscriptions", "/owner", "/finance", "/catalogue", "/sign-inx"]) expect(isPublicPath(p)).toBe(false);
  });

  it("recognises next-auth session cookies, also chunked and secure-prefixed", () => {
    expect(hasSessionCookie(["next-auth.session-token"])).toBe(true);
    expect(hasSessionCookie(["__Secure-next-auth.session-token.0"])).toBe(true);
    expect(hasSessionCookie(["next-auth.csrf-token", "next-auth.callback-url"])).toBe(false);
  });

  it("sends the current path and query back as callbackUrl", () => {
    expect(signInRedirectPath("/admin/users", "?q=a&b=1")).toBe("/sign-in?callbackUrl=%2Fadmin%2Fusers%3Fq%3Da%26b%3D1");
  });
});

/**
 * The rules proxy.ts applies, kept free of Next request types so they are unit-tested.
 * Optimistic only: a cookie's presence is not a session; pages check again.
 */
/** Set by proxy.ts on every request so server components know the path they render. */
export const PATH_HEADER = "x-tributary-path";

export const PUBLIC_PREFIXES = ["/sign-in", "/sign-up", "/sign-out", "/invite", "/catalog", "/products", "/api", "/forbidden"];
export const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

/** Paths a signed-out visitor may reach; the catalog pages decide themselves (public_catalog setting). */
export function isPublicPath(pathname: string): boolean {
  if (pathname === "/") return true;
  return PUBLIC_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

/** next-auth splits large tokens into name.0, name.1, … */
export function hasSessionCookie(cookieNames: string[]): boolean {
  return cookieNames.some((c) => SESSION_COOKIES.some((n) => c === n || c.startsWith(`${n}.`)));
}

export function signInRedirectPath(pathname: string, search: string): string {
  return `/sign-in?callbackUrl=${encodeURIComponent(pathname + search)}`;
}

import { NextResponse, type NextRequest } from "next/server";

/**
 * Optimistic only: sends visitors without a session cookie away from app pages to /sign-in,
 * and tells server components which path they render (for ?callbackUrl=). It never decides
 * access: the cookie is not verified here, and every page, action and route handler checks
 * again with lib/auth/session.ts. The catalog is let through because an admin may make it
 * public, which only the page can know.
 */
const PATH_HEADER = "x-tributary-path";
const PUBLIC_PREFIXES = ["/sign-in", "/sign-out", "/invite", "/catalog", "/products", "/api", "/forbidden"];
const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

function isPublic(pathname: string): boolean {
  if (pathname === "/") return true;
  return PUBLIC_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

function hasSessionCookie(req: NextRequest): boolean {
  // next-auth splits large tokens into name.0, name.1, ...
  return req.cookies.getAll().some((c) => SESSION_COOKIES.some((n) => c.name === n || c.name.startsWith(`${n}.`)));
}

export function proxy(req: NextRequest) {
  const { pathname, search } = req.nextUrl;
  if (!isPublic(pathname) && !hasSessionCookie(req)) {
    const url = req.nextUrl.clone();
    url.pathname = "/sign-in";
    url.search = `?callbackUrl=${encodeURIComponent(pathname + search)}`;
    return NextResponse.redirect(url);
  }
  const headers = new Headers(req.headers);
  headers.set(PATH_HEADER, pathname + search);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|.*\\.(?:png|jpg|jpeg|svg|webp|ico|css|js|map|txt)$).*)"],
};

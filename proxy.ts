import { NextResponse, type NextRequest } from "next/server";
import { hasSessionCookie, isPublicPath, PATH_HEADER, signInRedirectPath } from "@/lib/auth/proxy-rules";

/**
 * Optimistic only: sends visitors without a session cookie away from app pages to /sign-in,
 * and tells server components which path they render (for ?callbackUrl=). It never decides
 * access: the cookie is not verified here, and every page, action and route handler checks
 * again with lib/auth/session.ts.
 */
export function proxy(req: NextRequest) {
  const { pathname, search } = req.nextUrl;
  if (!isPublicPath(pathname) && !hasSessionCookie(req.cookies.getAll().map((c) => c.name))) {
    return NextResponse.redirect(new URL(signInRedirectPath(pathname, search), req.url));
  }
  const headers = new Headers(req.headers);
  headers.set(PATH_HEADER, pathname + search);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|.*\\.(?:png|jpg|jpeg|svg|webp|ico|css|js|map|txt)$).*)"],
};

import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_ID_HEADER, requestIdFrom } from "@/lib/ops/request-id";
import { hasSessionCookie, isPublicPath, PATH_HEADER, signInRedirectPath } from "@/lib/auth/proxy-rules";

/**
 * Optimistic only: sends visitors without a session cookie away from app pages to /sign-in,
 * and tells server components which path they render (for ?callbackUrl=). It never decides
 * access: the cookie is not verified here, and every page, action and route handler checks
 * again with lib/auth/session.ts. Also gives every request an id (x-request-id, echoed in the
 * response) for the structured logs.
 */
export function proxy(req: NextRequest) {
  const { pathname, search } = req.nextUrl;
  const requestId = requestIdFrom(req.headers.get(REQUEST_ID_HEADER));
  if (!isPublicPath(pathname) && !hasSessionCookie(req.cookies.getAll().map((c) => c.name))) {
    const res = NextResponse.redirect(new URL(signInRedirectPath(pathname, search), req.url));
    res.headers.set(REQUEST_ID_HEADER, requestId);
    return res;
  }
  const headers = new Headers(req.headers);
  headers.set(PATH_HEADER, pathname + search);
  headers.set(REQUEST_ID_HEADER, requestId);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set(REQUEST_ID_HEADER, requestId);
  return res;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|.*\\.(?:png|jpg|jpeg|svg|webp|ico|css|js|map|txt)$).*)"],
};

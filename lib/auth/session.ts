import { cache } from "react";
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { AppError } from "@/lib/errors";
import { getSetting } from "@/lib/settings/service";
import { authOptions } from "./options";
import { loadSessionUser } from "./queries";
import { decideAccess, isOwnerOfTeam as isOwnerOfTeamPredicate, type RequiredRole, type SessionUser } from "./roles";

export type { SessionUser } from "./roles";

import { PATH_HEADER } from "./proxy-rules";

export { PATH_HEADER };

/**
 * The signed-in user, re-read from the database (a disabled user is signed out at once).
 * Cached per request, so the header, layout and page share one lookup.
 */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  // Touch the request first: while `next build` prerenders, this marks the route dynamic
  // before authOptions() would demand AUTH_SECRET, which the build need not have.
  await headers();
  const session = await getServerSession(authOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  return loadSessionUser(getDb(), id);
});

export async function signInPath(): Promise<string> {
  const current = (await headers()).get(PATH_HEADER) ?? "/";
  return `/sign-in?callbackUrl=${encodeURIComponent(current)}`;
}

/** Signed out: redirect to sign-in and come back here afterwards. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(await signInPath());
  return user;
}

/** "owner" means owner of any team; admins pass "finance" too (see lib/auth/roles.ts). */
export async function requireRole(role: RequiredRole): Promise<SessionUser> {
  const user = await getSessionUser();
  const decision = decideAccess(user, role);
  if (decision === "unauthenticated" || !user) redirect(await signInPath());
  if (decision === "forbidden") forbidden();
  return user;
}

/**
 * For /catalog and /products/*: the user when signed in; null for a signed-out visitor when
 * the admin made the catalog public; otherwise a redirect to sign-in.
 */
export async function requireCatalogViewer(): Promise<SessionUser | null> {
  const user = await getSessionUser();
  if (user) return user;
  if (await getSetting(getDb(), "public_catalog")) return null;
  redirect(await signInPath());
}

/**
 * For route handlers (JSON, CSV, webhooks called by browsers): no redirect, an AppError the
 * handler turns into 401 or 403 (`err.status`).
 */
export async function requireApiUser(role?: RequiredRole): Promise<SessionUser> {
  const user = await getSessionUser();
  const decision = decideAccess(user, role);
  if (decision === "unauthenticated" || !user) throw new AppError("unauthenticated");
  if (decision === "forbidden") throw new AppError("forbidden");
  return user;
}

export function isOwnerOfTeam(user: SessionUser, teamId: string): boolean {
  return isOwnerOfTeamPredicate(user, teamId);
}

import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { sameOriginPath } from "@/lib/auth/callback-url";
import { getSessionUser } from "@/lib/auth/session";
import { findOwnNotification, markNotificationsRead } from "@/lib/notifications/queries";
import { jsonRoute } from "@/lib/ops/route";

export const dynamic = "force-dynamic";

/**
 * GET /api/notifications/<id>/open: marks the caller's notification read and sends them to the
 * place to act (303). A plain link, so it works without JavaScript and in a new tab. Signed out:
 * through sign-in and back here. Someone else's id: the inbox, with nothing revealed.
 */
export const GET = jsonRoute("notifications", async (req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> => {
  const { id } = await ctx.params;
  const url = new URL(req.url);
  const user = await getSessionUser();
  if (!user) {
    const back = `/api/notifications/${encodeURIComponent(id)}/open`;
    return NextResponse.redirect(new URL(`/sign-in?callbackUrl=${encodeURIComponent(back)}`, url), 303);
  }
  const db = getDb();
  const n = await findOwnNotification(db, user.id, id);
  if (!n) return NextResponse.redirect(new URL("/notifications?missing=1", url), 303);
  await markNotificationsRead(db, user.id, [n.id]);
  return NextResponse.redirect(new URL(sameOriginPath(n.link) ?? "/notifications", url), 303);
});

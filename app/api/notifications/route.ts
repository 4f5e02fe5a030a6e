import { getDb } from "@/db/client";
import { requireApiUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { listInbox } from "@/lib/notifications/queries";
import { jsonRoute } from "@/lib/ops/route";

export const dynamic = "force-dynamic";

/** GET /api/notifications?page=&unread=1: the caller's own inbox as JSON (401 signed out). */
export const GET = jsonRoute("notifications", async (req: Request): Promise<Response> => {
  const user = await requireApiUser();
  const params = new URL(req.url).searchParams;
  const page = Number(params.get("page") ?? "1");
  if (!Number.isInteger(page) || page < 1) throw new AppError("validation", undefined, { fieldErrors: { page: ["Use a page number from 1."] } });
  const inbox = await listInbox(getDb(), user.id, { page, unreadOnly: params.get("unread") === "1" });
  return Response.json(inbox, { headers: { "cache-control": "no-store" } });
});

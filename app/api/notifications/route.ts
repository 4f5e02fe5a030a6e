import { getDb } from "@/db/client";
import { requireApiUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { listInbox } from "@/lib/notifications/queries";

export const dynamic = "force-dynamic";

/** GET /api/notifications?page=&unread=1: the caller's own inbox as JSON (401 signed out). */
export async function GET(req: Request): Promise<Response> {
  let user;
  try {
    user = await requireApiUser();
  } catch (err) {
    if (err instanceof AppError) return Response.json({ error: { code: err.code, message: err.message } }, { status: err.status });
    throw err;
  }
  const params = new URL(req.url).searchParams;
  const page = Number(params.get("page") ?? "1");
  if (!Number.isInteger(page) || page < 1) {
    return Response.json({ error: { code: "validation", message: "Some fields need attention.", fieldErrors: { page: ["Use a page number from 1."] } } }, { status: 422 });
  }
  const inbox = await listInbox(getDb(), user.id, { page, unreadOnly: params.get("unread") === "1" });
  return Response.json(inbox, { headers: { "cache-control": "no-store" } });
}

import type { Db } from "@/db/client";
import { notifications } from "@/db/schema";

/**
 * The one way to notify people in the app. Call it inside the transaction of the change it
 * announces, so a decision and its notification commit together. `link` is an in-app path
 * (e.g. "/owner/requests?request=<id>") that opens the exact place to act.
 * Email delivery (when SMTP is configured) picks rows up from the table; see lib/notifications.
 */
export type Notice = {
  /** Dotted kind, e.g. "access_request.pending", "contract.breaking_change", "payment.failed". */
  kind: string;
  title: string;
  body?: string;
  link?: string | null;
};

export async function notifyUsers(db: Db, userIds: readonly string[], notice: Notice): Promise<number> {
  const unique = [...new Set(userIds)];
  if (!unique.length) return 0;
  await db.insert(notifications).values(
    unique.map((userId) => ({ userId, kind: notice.kind, title: notice.title, body: notice.body ?? "", link: notice.link ?? null })),
  );
  return unique.length;
}

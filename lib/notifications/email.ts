import { and, asc, eq, gte, inArray, isNull } from "drizzle-orm";
import type { Database } from "@/db/client";
import { notifications, users } from "@/db/schema";
import { sameOriginPath } from "@/lib/auth/callback-url";
import { parseSmtpUrl, SmtpConnection, SmtpError, type MailMessage, type SmtpTlsOptions } from "./smtp";

/**
 * Email copies of in-app notifications. A worker calls `sendPendingEmails` in a loop when
 * SMTP_URL is set: it claims unsent rows (FOR UPDATE SKIP LOCKED, so two workers never take the
 * same row), sends each over one SMTP session and sets `emailed_at` in the same transaction.
 * Delivery is at-least-once: a crash between the server's 250 and the commit sends a row again.
 * A permanent refusal (5xx: unknown mailbox) also sets `emailed_at`, so one bad address cannot
 * block the queue; a transient failure (4xx, connection) leaves the rest for the next round.
 * Rows older than `maxAgeHours` are never mailed: switching SMTP on later must not flood people
 * with their whole history.
 */
export type SendPendingOptions = {
  smtpUrl: string;
  from: string;
  appUrl: string;
  batchSize?: number;
  maxAgeHours?: number;
  timeoutMs?: number;
  /** Extra trust for the SMTP server's certificate (SMTP_CA_FILE). */
  tls?: SmtpTlsOptions;
  log?: (message: string) => void;
};

export type SendPendingResult = { sent: number; refused: number; deferred: number };

/** The notification's in-app path made absolute under APP_URL; foreign or odd links are dropped. */
export function absoluteLink(link: string | null, appUrl: string): string | null {
  const path = sameOriginPath(link);
  if (!path) return null;
  return new URL(path, appUrl.endsWith("/") ? appUrl : `${appUrl}/`).toString();
}

/**
 * The email copy. Its link is the notification's open link (/api/notifications/<id>/open), the
 * same one the inbox uses: it goes through sign-in when needed, marks the notification read and
 * lands on the exact place to act, and it never carries the target in the mail itself.
 */
export function notificationEmail(
  n: { id: string; title: string; body: string; link: string | null },
  to: { email: string; name: string },
  opts: { from: string; appUrl: string },
): MailMessage {
  const link = sameOriginPath(n.link) ? absoluteLink(`/api/notifications/${encodeURIComponent(n.id)}/open`, opts.appUrl) : null;
  const inbox = absoluteLink("/notifications", opts.appUrl);
  const lines = [`Hello ${to.name},`, "", n.title];
  if (n.body) lines.push("", n.body);
  if (link) lines.push("", `Open it in Tributary: ${link}`);
  lines.push("", "--", `You get this email because of a notification in your Tributary inbox: ${inbox}`);
  return { from: opts.from, to: `${to.name} <${to.email}>`, subject: n.title, text: lines.join("\n"), headers: { "Auto-Submitted": "auto-generated" } };
}

export async function sendPendingEmails(db: Database, opts: SendPendingOptions): Promise<SendPendingResult> {
  const cfg = parseSmtpUrl(opts.smtpUrl);
  const since = new Date(Date.now() - (opts.maxAgeHours ?? 72) * 3_600_000);
  const result: SendPendingResult = { sent: 0, refused: 0, deferred: 0 };
  await db.transaction(async (tx) => {
    const rows = await tx
      .select({
        id: notifications.id,
        title: notifications.title,
        body: notifications.body,
        link: notifications.link,
        email: users.email,
        name: users.name,
      })
      .from(notifications)
      .innerJoin(users, eq(users.id, notifications.userId))
      .where(and(isNull(notifications.emailedAt), gte(notifications.createdAt, since), eq(users.disabled, false)))
      .orderBy(asc(notifications.createdAt))
      .limit(opts.batchSize ?? 50)
      .for("update", { of: notifications, skipLocked: true });
    if (!rows.length) return;
    const done: string[] = [];
    const conn = await SmtpConnection.open(cfg, { timeoutMs: opts.timeoutMs, tls: opts.tls });
    try {
      for (const row of rows) {
        try {
          await conn.send(notificationEmail(row, row, opts));
          done.push(row.id);
          result.sent++;
        } catch (err) {
          if (err instanceof SmtpError && err.permanent) {
            opts.log?.(`[email] ${row.email} refused (${err.message}); not retrying`);
            done.push(row.id);
            result.refused++;
            continue;
          }
          opts.log?.(`[email] deferred: ${(err as Error).message}`);
          result.deferred = rows.length - done.length;
          break;
        }
      }
    } finally {
      await conn.close();
    }
    if (done.length) await tx.update(notifications).set({ emailedAt: new Date() }).where(inArray(notifications.id, done));
  });
  return result;
}

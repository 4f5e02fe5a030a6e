import { parseSmtpUrl, sendMail, type MailMessage } from "./smtp";
import type { SmtpSettings } from "./settings";

/**
 * The invitation e-mail: the one-time link, who invited, when it expires. Sent right after the
 * invitation is committed; a failure to send never undoes the invitation, because the admin is
 * shown the same link once and can pass it on by hand.
 */
export function invitationEmail(i: { email: string; url: string; expiresAt: Date; invitedBy: string }, from: string): MailMessage {
  const until = i.expiresAt.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  return {
    from,
    to: i.email,
    subject: "You are invited to Tributary",
    text: [
      "Hello,",
      "",
      `${i.invitedBy} invited you to Tributary, the marketplace for the company's data streams.`,
      "",
      `Accept the invitation and choose your password: ${i.url}`,
      "",
      `The link works once and until ${until}. If you did not expect this, ignore this e-mail.`,
    ].join("\n"),
    headers: { "Auto-Submitted": "auto-generated" },
  };
}

export type InvitationMailResult = { emailed: true } | { emailed: false; reason: string };

export async function mailInvitation(settings: SmtpSettings, i: Parameters<typeof invitationEmail>[0], opts: { timeoutMs?: number } = {}): Promise<InvitationMailResult> {
  try {
    await sendMail(parseSmtpUrl(settings.smtpUrl), invitationEmail(i, settings.from), { timeoutMs: opts.timeoutMs ?? 10_000, tls: settings.tls });
    return { emailed: true };
  } catch (err) {
    return { emailed: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

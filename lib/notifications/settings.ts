import { readFile } from "node:fs/promises";
import { env } from "@/lib/env";
import type { SmtpTlsOptions } from "./smtp";

/** SMTP from the environment (SMTP_URL, SMTP_FROM, SMTP_CA_FILE); null when mail is off. */
export type SmtpSettings = { smtpUrl: string; from: string; tls?: SmtpTlsOptions };

export async function smtpSettingsFromEnv(): Promise<SmtpSettings | null> {
  const e = env();
  if (!e.SMTP_URL) return null;
  return { smtpUrl: e.SMTP_URL, from: e.SMTP_FROM, tls: e.SMTP_CA_FILE ? { ca: await readFile(e.SMTP_CA_FILE) } : undefined };
}

import { closeDb, getDb } from "@/db/client";
import { env } from "@/lib/env";
import { consoleJobLogger, shutdownSignal } from "@/lib/jobs";
import { sendPendingEmails } from "@/lib/notifications/email";
import { smtpSettingsFromEnv } from "@/lib/notifications/settings";
import { startHeartbeat } from "@/lib/ops/heartbeat";
import { pruneWorkerStatus } from "@/lib/ops/health";
import { startWorkerHealthFromEnv } from "@/lib/ops/worker-server";
import { runPeriodic } from "@/lib/provisioning/periodic";

/**
 * Notifier: mails the email copy of new in-app notifications every few seconds when SMTP_URL is
 * set (lib/notifications/email.ts), and prunes heartbeat rows of long-gone worker processes.
 * Without SMTP_URL it only does the latter; notifications stay in the in-app inbox.
 */
const db = getDb();
const e = env();
const signal = shutdownSignal();
const log = consoleJobLogger("notifier");
const heartbeat = startHeartbeat(db, { worker: "notifier", onError: (err) => log.warn("heartbeat failed", { error: String(err) }) });
const health = await startWorkerHealthFromEnv(heartbeat, log);
let lastPrune = 0;

const smtp = await smtpSettingsFromEnv();
if (!e.SMTP_URL) log.info("SMTP_URL not set: email copies are off, notifications stay in the app");

await runPeriodic({
  signal,
  everyMs: 10_000,
  log,
  tasks: {
    email: async () => {
      if (!smtp) {
        heartbeat.success({ details: { smtp: false } });
        return;
      }
      try {
        const r = await sendPendingEmails(db, { ...smtp, appUrl: e.appUrl, log: (m) => log.info(m) });
        if (r.sent || r.refused || r.deferred) log.info("emails", { ...r });
        heartbeat.success({ lag: r.deferred, details: { smtp: true, ...r } });
      } catch (err) {
        heartbeat.failure(err);
        throw err;
      }
    },
    prune: async () => {
      if (Date.now() - lastPrune < 3_600_000) return;
      lastPrune = Date.now();
      const n = await pruneWorkerStatus(db);
      if (n) log.info(`pruned ${n} heartbeat rows of stopped worker processes`);
    },
  },
});
await heartbeat.stop();
await health.close();
await closeDb();

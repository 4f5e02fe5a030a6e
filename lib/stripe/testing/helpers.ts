import { randomBytes } from "node:crypto";
import { and, inArray, like, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "@/db/client";
import { jobs } from "@/db/schema";
import { makeWorkerId, startWorker, type JobHandler } from "@/lib/jobs";

const quiet = { info() {}, warn() {}, error() {} };

/**
 * Runs the real worker loop over `handlers` until no job of `kindPrefix` is queued or running
 * (a job retrying with backoff counts as queued, so a failing handler makes this time out).
 */
export async function drainJobs(db: Database, handlers: JobHandler[], kindPrefix = "stripe.", timeoutMs = 15_000): Promise<void> {
  const ac = new AbortController();
  const worker = startWorker({ db, handlers, workerId: makeWorkerId("test-billing"), signal: ac.signal, pollMs: 50, listen: false, log: quiet });
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      const [{ n }] = (await db
        .select({ n: sql<number>`count(*)::int` })
        .from(jobs)
        .where(and(like(jobs.kind, `${kindPrefix}%`), inArray(jobs.status, ["queued", "running"])))) as [{ n: number }];
      if (n === 0) break;
      if (Date.now() > until) throw new Error(`jobs ${kindPrefix}* still pending after ${timeoutMs} ms (last error: ${worker.stats.lastError})`);
      await new Promise((r) => setTimeout(r, 30));
    }
  } finally {
    ac.abort();
    await worker.stopped;
  }
}

/** A webhook delivery as Stripe would send it: the raw JSON body and its Stripe-Signature header. */
export function signedEvent(stripe: Stripe, secret: string, type: string, object: Record<string, unknown>, id = `evt_${randomBytes(8).toString("hex")}`) {
  const payload = JSON.stringify({ id, object: "event", type, api_version: "2026-10-28.endive", created: Math.floor(Date.now() / 1000), livemode: false, data: { object } });
  return { id, payload, signature: stripe.webhooks.generateTestHeaderString({ payload, secret }) };
}

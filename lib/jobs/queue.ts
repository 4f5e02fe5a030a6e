import { and, asc, eq, inArray, lt, lte, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { jobs } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { computeBackoffMs, PermanentJobError, type BackoffOptions, type JobDefinition, type JobInput } from "./define";

export type JobRow = typeof jobs.$inferSelect;

/** postgres NOTIFY channel; `enqueue` sends the job kind on it, delivered only on commit. */
export const jobsChannel = "tributary_jobs";

/** last_error is for people reading a status page; a whole stack trace per retry is noise. */
const maxErrorLength = 4_000;

/**
 * Writes a job in the caller's transaction, so it exists exactly when the state change it
 * belongs to commits. `dedupeKey` is unique for the table's whole history (finished jobs are kept):
 * enqueueing the same key again returns the existing job and writes nothing, which is what makes
 * double clicks and retried requests safe. Work that may legitimately happen again (a second
 * provisioning after a re-subscribe) needs a key that differs, e.g. one carrying a generation.
 */
export async function enqueue<J extends JobDefinition>(
  tx: Db,
  job: J,
  payload: JobInput<J>,
  opts: { dedupeKey: string; runAt?: Date; notify?: boolean },
): Promise<{ id: number; created: boolean }> {
  if (!opts.dedupeKey) throw new AppError("bad_request", `Job ${job.kind} needs a dedupe key`);
  const parsed = job.schema.safeParse(payload);
  if (!parsed.success) {
    throw new AppError("validation", `Invalid payload for job ${job.kind}: ${z.prettifyError(parsed.error)}`, {
      fieldErrors: flattenIssues(parsed.error),
    });
  }
  const [inserted] = await tx
    .insert(jobs)
    .values({
      kind: job.kind,
      payload: parsed.data as object,
      dedupeKey: opts.dedupeKey,
      maxAttempts: job.maxAttempts,
      ...(opts.runAt ? { runAt: opts.runAt } : {}),
    })
    // A concurrent uncommitted insert of the same key makes this wait for it; after it commits the
    // row conflicts and the select below (a new statement, a new snapshot) sees it.
    .onConflictDoNothing({ target: jobs.dedupeKey })
    .returning({ id: jobs.id });
  if (inserted) {
    // NOTIFY is transactional: a rolled-back enqueue wakes no one.
    if (opts.notify !== false) await tx.execute(sql`select pg_notify(${jobsChannel}, ${job.kind})`);
    return { id: inserted.id, created: true };
  }
  const [existing] = await tx.select({ id: jobs.id, kind: jobs.kind }).from(jobs).where(eq(jobs.dedupeKey, opts.dedupeKey));
  if (!existing) {
    // Only under REPEATABLE READ or SERIALIZABLE, whose snapshot predates the conflicting commit.
    throw new AppError("conflict", `Job ${opts.dedupeKey} was enqueued concurrently; retry the transaction`);
  }
  if (existing.kind !== job.kind) {
    throw new AppError("conflict", `Dedupe key ${opts.dedupeKey} already belongs to a ${existing.kind} job`);
  }
  return { id: existing.id, created: false };
}

function flattenIssues(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "payload";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/**
 * Takes up to `limit` due jobs of the given kinds for `workerId`: status running, locked now,
 * attempts + 1. One statement, so the row locks last only as long as the claim itself; SKIP LOCKED
 * lets concurrent workers take disjoint sets instead of queueing behind each other.
 */
export async function claimJobs(db: Db, opts: { kinds: readonly string[]; workerId: string; limit: number }): Promise<JobRow[]> {
  if (opts.kinds.length === 0 || opts.limit < 1) return [];
  const due = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.status, "queued"), lte(jobs.runAt, sql`now()`), inArray(jobs.kind, [...opts.kinds])))
    .orderBy(asc(jobs.runAt), asc(jobs.id))
    .limit(opts.limit)
    .for("update", { skipLocked: true });
  const claimed = await db
    .update(jobs)
    .set({ status: "running", lockedAt: sql`now()`, lockedBy: opts.workerId, attempts: sql`${jobs.attempts} + 1` })
    .where(inArray(jobs.id, due))
    .returning();
  return claimed.sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || a.id - b.id);
}

// A worker may only settle the attempt it claimed: if its lock expired and the job was reclaimed
// (maybe claimed again elsewhere), its late result must not overwrite the newer attempt.
function heldBy(job: Pick<JobRow, "id" | "attempts">, workerId: string) {
  return and(eq(jobs.id, job.id), eq(jobs.status, "running"), eq(jobs.lockedBy, workerId), eq(jobs.attempts, job.attempts));
}

/** Marks a claimed attempt done. false: this worker no longer held it (see `heldBy`). */
export async function completeJob(db: Db, job: Pick<JobRow, "id" | "attempts">, workerId: string): Promise<boolean> {
  // locked_by stays: it records who did the work and feeds `listWorkerActivity`.
  const rows = await db
    .update(jobs)
    .set({ status: "done", finishedAt: sql`now()`, lockedAt: null })
    .where(heldBy(job, workerId))
    .returning({ id: jobs.id });
  return rows.length === 1;
}

export type FailOutcome = { status: "queued"; retryInMs: number } | { status: "failed" } | { status: "lost" };

/**
 * Records a failed attempt: back to queued after an exponential, jittered delay, or `failed` for
 * good once attempts reach max_attempts (or the error is a PermanentJobError). last_error keeps
 * the message either way. `lost`: the worker no longer held the job, nothing was written.
 */
export async function failJob(
  db: Db,
  job: Pick<JobRow, "id" | "attempts" | "maxAttempts">,
  workerId: string,
  error: unknown,
  opts: { backoff: BackoffOptions; random?: () => number },
): Promise<FailOutcome> {
  const lastError = describeError(error);
  const terminal = error instanceof PermanentJobError || job.attempts >= job.maxAttempts;
  if (terminal) {
    const rows = await db
      .update(jobs)
      .set({ status: "failed", finishedAt: sql`now()`, lockedAt: null, lastError })
      .where(heldBy(job, workerId))
      .returning({ id: jobs.id });
    return rows.length === 1 ? { status: "failed" } : { status: "lost" };
  }
  const retryInMs = computeBackoffMs(job.attempts, opts.backoff, opts.random);
  const rows = await db
    .update(jobs)
    .set({
      status: "queued",
      runAt: sql`now() + ${retryInMs} * interval '1 millisecond'`,
      lockedAt: null,
      lockedBy: null,
      lastError,
    })
    .where(heldBy(job, workerId))
    .returning({ id: jobs.id });
  return rows.length === 1 ? { status: "queued", retryInMs } : { status: "lost" };
}

/**
 * Releases jobs whose lock is older than the visibility timeout: their worker crashed or hung
 * (a live worker refreshes its locks, see `touchJobs`). The crashed attempt counts, so a job that
 * kills its worker every time still ends up `failed` after max_attempts. Safe while the old worker
 * might still be alive because handlers are idempotent and its late result is fenced off.
 */
export async function reclaimStaleJobs(db: Db, opts: { visibilityTimeoutMs: number }): Promise<{ requeued: number[]; failed: number[] }> {
  const exhausted = sql`${jobs.attempts} >= ${jobs.maxAttempts}`;
  const rows = await db
    .update(jobs)
    .set({
      status: sql`case when ${exhausted} then 'failed'::job_status else 'queued'::job_status end`,
      finishedAt: sql`case when ${exhausted} then now() end`,
      runAt: sql`case when ${exhausted} then ${jobs.runAt} else now() end`,
      lastError: sql`'worker ' || coalesce(${jobs.lockedBy}, '?') || ' stopped renewing its lock (crashed or hung) during attempt ' || ${jobs.attempts}`,
      lockedAt: null,
      lockedBy: sql`case when ${exhausted} then ${jobs.lockedBy} end`,
    })
    .where(and(eq(jobs.status, "running"), lt(jobs.lockedAt, sql`now() - ${opts.visibilityTimeoutMs} * interval '1 millisecond'`)))
    .returning({ id: jobs.id, status: jobs.status });
  return {
    requeued: rows.filter((r) => r.status === "queued").map((r) => r.id),
    failed: rows.filter((r) => r.status === "failed").map((r) => r.id),
  };
}

/** Renews this worker's locks on in-flight jobs; returns the ids it still holds. */
export async function touchJobs(db: Db, workerId: string, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .update(jobs)
    .set({ lockedAt: sql`now()` })
    .where(and(inArray(jobs.id, [...ids]), eq(jobs.status, "running"), eq(jobs.lockedBy, workerId)))
    .returning({ id: jobs.id });
  return rows.map((r) => r.id);
}

/** Puts a `failed` job back in the queue with a fresh attempt budget (an operator's retry button). */
export async function retryJob(db: Db, id: number): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ status: "queued", attempts: 0, runAt: sql`now()`, finishedAt: null, lockedAt: null, lockedBy: null })
    .where(and(eq(jobs.id, id), eq(jobs.status, "failed")))
    .returning({ kind: jobs.kind });
  if (rows[0]) await db.execute(sql`select pg_notify(${jobsChannel}, ${rows[0].kind})`);
  return rows.length === 1;
}

/**
 * Deletes `done` jobs finished more than `olderThanMs` ago, at most `limit` per call. Their dedupe
 * keys become free again: only prune kinds whose keys are never re-enqueued after that long, or
 * whose handlers are idempotent against the state they already produced (they must be anyway).
 * Failed jobs are kept for people to read and retry.
 */
export async function pruneFinishedJobs(db: Db, opts: { olderThanMs: number; kinds?: readonly string[]; limit?: number }): Promise<number> {
  const victims = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.status, "done"),
        lt(jobs.finishedAt, sql`now() - ${opts.olderThanMs} * interval '1 millisecond'`),
        opts.kinds?.length ? inArray(jobs.kind, [...opts.kinds]) : undefined,
      ),
    )
    .limit(opts.limit ?? 10_000);
  const rows = await db.delete(jobs).where(inArray(jobs.id, victims)).returning({ id: jobs.id });
  return rows.length;
}

/** One readable line (plus causes) for last_error; stacks go to the worker log instead. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(`${current.name}: ${current.message}`);
      current = current.cause;
    } else {
      parts.push(typeof current === "string" ? current : safeJson(current));
      break;
    }
  }
  const text = parts.join("\ncaused by: ") || "unknown error";
  return text.length > maxErrorLength ? `${text.slice(0, maxErrorLength - 1)}…` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

import { and, desc, eq, inArray, isNotNull, like, lt, max, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { jobs, jobStatus as jobStatusEnum } from "@/db/schema";
import type { JobRow } from "./queue";

export type JobStatus = (typeof jobStatusEnum.enumValues)[number];

/** A job as a status page shows it; `payload` is raw JSON (parse with the definition if needed). */
export type JobView = JobRow;

/** The job enqueued under `dedupeKey`, or null: callers that chose the key can always find it. */
export async function jobStatus(db: Db, dedupeKey: string): Promise<JobView | null> {
  const [row] = await db.select().from(jobs).where(eq(jobs.dedupeKey, dedupeKey));
  return row ?? null;
}

export type JobFilter = {
  kinds?: readonly string[];
  statuses?: readonly JobStatus[];
  /** Jobs of one entity, when its keys share a prefix such as `subscription.provision:<id>:`. */
  dedupeKeyPrefix?: string;
  /** Keyset pagination: only ids below this one (pass the last id of the previous page). */
  beforeId?: number;
  limit?: number;
};

/** Newest first; at most 200 rows per page. */
export async function listJobs(db: Db, filter: JobFilter = {}): Promise<JobView[]> {
  const where: SQL[] = [];
  if (filter.kinds?.length) where.push(inArray(jobs.kind, [...filter.kinds]));
  if (filter.statuses?.length) where.push(inArray(jobs.status, [...filter.statuses]));
  if (filter.dedupeKeyPrefix) where.push(like(jobs.dedupeKey, `${escapeLike(filter.dedupeKeyPrefix)}%`));
  if (filter.beforeId !== undefined) where.push(lt(jobs.id, filter.beforeId));
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  return db
    .select()
    .from(jobs)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(jobs.id))
    .limit(limit);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export type KindSummary = {
  kind: string;
  queued: number;
  running: number;
  done: number;
  failed: number;
  /** Seconds the oldest due job has waited past its run_at; a growing number means no worker keeps up. */
  oldestDueSeconds: number | null;
};

/** Counts per kind and status, for a health endpoint or an admin page. */
export async function summarizeQueue(db: Db): Promise<KindSummary[]> {
  const rows = await db
    .select({
      kind: jobs.kind,
      queued: sql<number>`count(*) filter (where ${jobs.status} = 'queued')::int`,
      running: sql<number>`count(*) filter (where ${jobs.status} = 'running')::int`,
      done: sql<number>`count(*) filter (where ${jobs.status} = 'done')::int`,
      failed: sql<number>`count(*) filter (where ${jobs.status} = 'failed')::int`,
      oldestDueSeconds: sql<number | null>`extract(epoch from now() - min(${jobs.runAt}) filter (where ${jobs.status} = 'queued' and ${jobs.runAt} <= now()))::float8`,
    })
    .from(jobs)
    .groupBy(jobs.kind)
    .orderBy(jobs.kind);
  return rows;
}

export type WorkerActivity = { workerId: string; lastSuccessAt: Date | null; running: number };

/**
 * What each worker id has done lately, from the jobs themselves (finished jobs keep locked_by):
 * readable from any process, so the web app's health endpoint needs no channel to the workers.
 * An idle worker shows no fresh success; the in-process `WorkerStats` cover that case.
 */
export async function listWorkerActivity(db: Db, opts: { sinceMs?: number } = {}): Promise<WorkerActivity[]> {
  const sinceMs = opts.sinceMs ?? 24 * 3600_000;
  const rows = await db
    .select({
      workerId: jobs.lockedBy,
      lastSuccessAt: max(sql`case when ${jobs.status} = 'done' then ${jobs.finishedAt} end`).mapWith(jobs.finishedAt),
      running: sql<number>`count(*) filter (where ${jobs.status} = 'running')::int`,
    })
    .from(jobs)
    .where(
      and(
        isNotNull(jobs.lockedBy),
        sql`(${jobs.status} = 'running' or ${jobs.finishedAt} > now() - ${sinceMs} * interval '1 millisecond')`,
      ),
    )
    .groupBy(jobs.lockedBy)
    .orderBy(jobs.lockedBy);
  return rows.map((r) => ({ workerId: r.workerId as string, lastSuccessAt: r.lastSuccessAt ?? null, running: r.running }));
}

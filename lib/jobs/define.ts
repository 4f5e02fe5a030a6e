import { z } from "zod";

/**
 * Retry schedule after a failed attempt: `baseMs * 2^(attempt-1)`, capped at `maxMs`, of which a
 * `jitter` share (0..1) is randomized so that jobs failing together (a broker outage) do not all
 * come back in the same instant.
 */
export type BackoffOptions = { baseMs: number; maxMs: number; jitter: number };

export const defaultBackoff: BackoffOptions = { baseMs: 1_000, maxMs: 5 * 60_000, jitter: 0.5 };

/**
 * Long enough for a provisioning step against a slow managed Kafka; short enough that a hung
 * handler does not hold its job for good (a live worker keeps renewing the lock of a running job).
 */
export const defaultTimeoutMs = 5 * 60_000;

/** Ten attempts with the default backoff span roughly ten minutes before a job is given up. */
export const defaultMaxAttempts = 10;

export type JobDefinition<K extends string = string, S extends z.ZodType = z.ZodType> = {
  readonly kind: K;
  readonly schema: S;
  readonly maxAttempts: number;
  readonly backoff: BackoffOptions;
  /** An attempt running longer is failed (and retried); its context signal is aborted. */
  readonly timeoutMs: number;
};

/** What `enqueue` accepts for a job (before zod defaults apply). */
export type JobInput<J extends JobDefinition> = z.input<J["schema"]>;
/** What a handler receives: the payload parsed again at run time. */
export type JobPayload<J extends JobDefinition> = z.output<J["schema"]>;

// Dotted, lower-case ids ("subscription.provision") per CONVENTIONS.md; the kind is stored in
// every row and matched by workers, so a typo must fail at definition time, not silently never run.
const kindPattern = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/;

/**
 * Declares a job kind and the zod schema of its payload. The payload is stored as JSON and parsed
 * again when the job runs, so the schema should map JSON to JSON: no transforms to non-JSON
 * values, and new fields added later need defaults (rows written by older code still exist).
 */
export function defineJob<const K extends string, S extends z.ZodType>(def: {
  kind: K;
  schema: S;
  maxAttempts?: number;
  backoff?: Partial<BackoffOptions>;
  timeoutMs?: number;
}): JobDefinition<K, S> {
  if (!kindPattern.test(def.kind)) throw new Error(`Job kind "${def.kind}" must be dotted lower-case, e.g. "subscription.provision"`);
  const maxAttempts = def.maxAttempts ?? defaultMaxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`Job ${def.kind}: maxAttempts must be a positive integer`);
  const backoff = { ...defaultBackoff, ...def.backoff };
  if (!(backoff.baseMs >= 0 && backoff.maxMs >= backoff.baseMs && backoff.jitter >= 0 && backoff.jitter <= 1)) {
    throw new Error(`Job ${def.kind}: backoff needs 0 <= baseMs <= maxMs and 0 <= jitter <= 1`);
  }
  const timeoutMs = def.timeoutMs ?? defaultTimeoutMs;
  if (!(timeoutMs > 0)) throw new Error(`Job ${def.kind}: timeoutMs must be positive`);
  return Object.freeze({ kind: def.kind, schema: def.schema, maxAttempts, backoff: Object.freeze(backoff), timeoutMs });
}

/**
 * Delay before the next try after `attempt` (1-based) failed. `random` is injectable so tests can
 * pin the jitter.
 */
export function computeBackoffMs(attempt: number, backoff: BackoffOptions, random: () => number = Math.random): number {
  // 2^30 already exceeds any sane cap; clamping the exponent keeps the arithmetic finite.
  const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  const fixed = exponential * (1 - backoff.jitter);
  return Math.round(fixed + exponential * backoff.jitter * random());
}

/** A handler: the typed payload and the run context. It must be safe to run more than once. */
export type JobHandlerFn<J extends JobDefinition> = (payload: JobPayload<J>, ctx: JobContext) => Promise<void>;

export type JobContext = {
  job: { id: number; kind: string; dedupeKey: string; attempt: number; maxAttempts: number; createdAt: Date };
  /** Aborted when the worker's shutdown grace period runs out; long handlers should stop early. */
  signal: AbortSignal;
  log: JobLogger;
};

export type JobLogger = {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
};

export type JobHandler = {
  readonly definition: JobDefinition;
  readonly run: (payload: unknown, ctx: JobContext) => Promise<void>;
};

/** Binds a handler to its definition; the payload type follows from the definition. */
export function jobHandler<J extends JobDefinition>(definition: J, run: JobHandlerFn<J>): JobHandler {
  return { definition, run: run as (payload: unknown, ctx: JobContext) => Promise<void> };
}

/**
 * Thrown by a handler when retrying cannot help (the subscription was deleted, the payload names
 * something that will never exist): the job goes straight to `failed`.
 */
export class PermanentJobError extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = "PermanentJobError";
  }
}

/** Every job kind a process knows, by kind; two definitions with one kind are a bug. */
export type JobRegistry = {
  readonly kinds: readonly string[];
  get(kind: string): JobDefinition | undefined;
};

export function createJobRegistry(definitions: readonly JobDefinition[]): JobRegistry {
  const byKind = new Map<string, JobDefinition>();
  for (const def of definitions) {
    if (byKind.has(def.kind)) throw new Error(`Job kind "${def.kind}" is defined twice`);
    byKind.set(def.kind, def);
  }
  return { kinds: [...byKind.keys()], get: (kind) => byKind.get(kind) };
}

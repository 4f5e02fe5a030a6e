import { env } from "@/lib/env";

/**
 * Structured logs: one JSON object per line on stdout/stderr, so a log shipper can parse them
 * and the launcher can still prefix them by process. Fields every line has: ts (ISO), level,
 * component, msg; plus request_id / job fields when the caller passes them.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` (e.g. { request_id }) to every line. */
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (level: LogLevel, line: string) => void;

const consoleSink: LogSink = (level, line) => {
  if (level === "error" || level === "warn") process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
};

function serialize(value: unknown): unknown {
  // The stack goes with it: an unexpected error's log line is where someone will look for it.
  if (value instanceof Error) return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** The JSON line for one entry; exported for tests. */
export function formatLogLine(level: LogLevel, component: string, msg: string, fields: LogFields = {}, now = new Date()): string {
  const out: Record<string, unknown> = { ts: now.toISOString(), level, component, msg };
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || k === "ts" || k === "level" || k === "component" || k === "msg") continue;
    out[k] = serialize(v);
  }
  return JSON.stringify(out, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

export function createLogger(component: string, opts: { level?: LogLevel; sink?: LogSink; fields?: LogFields } = {}): Logger {
  const min = ORDER[opts.level ?? safeLevel()];
  const sink = opts.sink ?? consoleSink;
  const base = opts.fields ?? {};
  const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    sink(level, formatLogLine(level, component, msg, { ...base, ...fields }));
  };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (fields) => createLogger(component, { ...opts, fields: { ...base, ...fields } }),
  };
}

function safeLevel(): LogLevel {
  try {
    return env().LOG_LEVEL;
  } catch {
    return "info";
  }
}

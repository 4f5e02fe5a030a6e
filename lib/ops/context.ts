import { AsyncLocalStorage } from "node:async_hooks";
import { env } from "@/lib/env";
import { REQUEST_ID_HEADER } from "./request-id";

/**
 * Where the current unit of work came from, for audit entries and log lines: the request id (or,
 * in a worker, `job:<id>`), the client's address and user agent, and the API token when the call
 * came through the token API. Set once at each entry point — the token API pipeline
 * (lib/api/endpoint.ts), the server-action wrapper (lib/actions/safe-action.ts), route handlers
 * through `withRequestContext`, the job runner (lib/jobs/worker.ts) — and read by recordAudit and
 * the loggers, so services do not pass it around. Inside the Next server, code that runs outside
 * those (other route handlers, next-auth callbacks) gets it from the request headers instead.
 */
export type RequestContext = {
  correlationId?: string;
  ip?: string | null;
  userAgent?: string | null;
  /** The call came through this token API token, acting for userId. */
  token?: { id: string; prefix: string; userId: string };
};

// On globalThis: Next may evaluate this module once per bundle layer (route handlers, actions),
// and every copy must see the same store.
const g = globalThis as { __tributaryRequestContext?: AsyncLocalStorage<RequestContext> };
const storage = (g.__tributaryRequestContext ??= new AsyncLocalStorage<RequestContext>());

/** Runs `fn` with `ctx`; fields not given are kept from an enclosing context. */
export function runWithRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  const outer = storage.getStore();
  const merged: RequestContext = { ...outer };
  for (const [k, v] of Object.entries(ctx)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  return storage.run(merged, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

type HeaderSource = { get(name: string): string | null };

const MAX_USER_AGENT = 512;

/**
 * The client's address: the first hop of X-Forwarded-For (our reverse proxy's, or the one
 * `next start` sets from the socket), else X-Real-IP. Anything longer than an address is dropped.
 */
export function clientIpFrom(h: HeaderSource): string | null {
  const ip = h.get("x-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip")?.trim();
  return ip && ip.length <= 64 ? ip : null;
}

export function requestContextFrom(h: HeaderSource): RequestContext {
  const ua = h.get("user-agent")?.trim();
  return {
    correlationId: h.get(REQUEST_ID_HEADER) ?? undefined,
    ip: clientIpFrom(h),
    userAgent: ua ? ua.slice(0, MAX_USER_AGENT) : null,
  };
}

/** Wraps a route handler so audit entries and logs inside it know the request. */
export function withRequestContext<A extends [Request, ...unknown[]], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args: A) => runWithRequestContext(requestContextFrom(args[0].headers), () => handler(...args));
}

/**
 * The stored context, or inside the Next server the current request's headers. Workers and
 * tests never load next/headers (which takes most of a second to import) for nothing.
 */
export async function resolveRequestContext(): Promise<RequestContext | undefined> {
  const stored = storage.getStore();
  if (stored || !env().NEXT_RUNTIME) return stored;
  try {
    const { headers } = await import("next/headers");
    return requestContextFrom(await headers());
  } catch (err) {
    // Outside a request (a build, a timer): no context. Next's own control-flow errors (a
    // prerender bailing out to dynamic rendering) must reach Next.
    const { unstable_rethrow } = await import("next/navigation");
    unstable_rethrow(err);
    return undefined;
  }
}

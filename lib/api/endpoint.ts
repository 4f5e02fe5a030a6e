import { z } from "zod";
import type { Database } from "@/db/client";
import { toFieldErrors } from "@/lib/actions/safe-action";
import { recordAudit } from "@/lib/audit/service";
import type { SessionUser } from "@/lib/auth/roles";
import { env } from "@/lib/env";
import { AppError, errorCodes, type ErrorCode, type FieldErrors } from "@/lib/errors";
import type { CredentialDeps } from "@/lib/provisioning/credentials";
import { createLogger } from "@/lib/ops/log";
import { requestContextFrom, runWithRequestContext } from "@/lib/ops/context";
import { REQUEST_ID_HEADER, requestIdFrom } from "@/lib/ops/request-id";
import type { ApiScope } from "./scopes";
import { authenticateApiToken, consumeRateLimit, type AuthenticatedToken } from "./tokens";

/**
 * The token API's one request pipeline: bearer token → rate limit → scope → zod-parsed params,
 * query and body → the same service the UI calls → JSON. Errors always come back as
 * `{ error: { code, message, fieldErrors? }, requestId }` with the matching 4xx/5xx status.
 * Endpoint definitions double as the OpenAPI source (lib/api/openapi.ts).
 */
type AnyObject = z.ZodObject<z.ZodRawShape>;

export type EndpointDef<P extends AnyObject | undefined, Q extends AnyObject | undefined, B extends z.ZodType | undefined> = {
  method: "GET" | "POST" | "DELETE";
  /** OpenAPI path template under /api/v1, e.g. "/products/{slug}". */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  scope: ApiScope;
  params?: P;
  query?: Q;
  body?: B;
  response: z.ZodType;
  /** Success status (200 unless given). */
  status?: number;
};

export type ApiDeps = {
  /** Builds the Kafka deps for credential rotation; tests inject a SASL test broker's. */
  credentialDeps?: <T>(run: (deps: CredentialDeps) => Promise<T>) => Promise<T>;
  now?: () => Date;
  rateLimitPerMinute?: number;
};

export type EndpointContext<P, Q, B> = {
  db: Database;
  user: SessionUser;
  token: AuthenticatedToken;
  params: P;
  query: Q;
  body: B;
  requestId: string;
  deps: ApiDeps;
};

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export type Endpoint = EndpointDef<AnyObject | undefined, AnyObject | undefined, z.ZodType | undefined> & {
  handler: (ctx: EndpointContext<never, never, never>) => Promise<unknown>;
};

export function defineEndpoint<P extends AnyObject | undefined = undefined, Q extends AnyObject | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  def: EndpointDef<P, Q, B>,
  handler: (ctx: EndpointContext<Out<P>, Out<Q>, Out<B>>) => Promise<unknown>,
): Endpoint {
  return { ...(def as unknown as Endpoint), handler: handler as Endpoint["handler"] };
}

const log = createLogger("api");

/**
 * An error in the API's shape for a request no endpoint handles (unknown path, wrong method),
 * with the request's id like every other answer.
 */
export function apiErrorResponse(req: Request, code: ErrorCode, message: string, headers: Record<string, string> = {}): Response {
  const requestId = requestIdFrom(req.headers.get(REQUEST_ID_HEADER));
  return json(errorCodes[code].status, errorBody(code, message, requestId), { [REQUEST_ID_HEADER]: requestId, ...headers });
}

function errorBody(code: ErrorCode, message: string, requestId: string, fieldErrors?: FieldErrors) {
  return { error: { code, message, ...(fieldErrors ? { fieldErrors } : {}) }, requestId };
}

function json(status: number, body: unknown, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });
}

function parseWith<S extends z.ZodType>(schema: S, raw: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors = toFieldErrors(parsed.error);
    throw new AppError("validation", `The ${where} has invalid fields.`, { fieldErrors });
  }
  return parsed.data;
}

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length > 1 ? all : all[0]!;
  }
  return out;
}

/**
 * Runs one endpoint for one request. Exported for tests; routes use `serve`. Everything inside
 * runs in a request context (request id, client address, user agent; then the token), so audit
 * entries written by the services it calls say where the call came from and that a token made it.
 */
export async function invoke(endpoint: Endpoint, db: Database, req: Request, rawParams: Record<string, string>, deps: ApiDeps = {}): Promise<Response> {
  const requestId = requestIdFrom(req.headers.get(REQUEST_ID_HEADER));
  return runWithRequestContext({ ...requestContextFrom(req.headers), correlationId: requestId }, () => run(endpoint, db, req, rawParams, deps, requestId));
}

async function run(endpoint: Endpoint, db: Database, req: Request, rawParams: Record<string, string>, deps: ApiDeps, requestId: string): Promise<Response> {
  const started = performance.now();
  const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId };
  const now = deps.now?.() ?? new Date();
  let token: AuthenticatedToken | undefined;
  let status = 500;
  try {
    const auth = req.headers.get("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!match) {
      headers["WWW-Authenticate"] = 'Bearer realm="tributary"';
      throw new AppError("unauthenticated", "Send an API token: Authorization: Bearer <token>.");
    }
    try {
      token = await authenticateApiToken(db, match[1]!, now);
    } catch (err) {
      headers["WWW-Authenticate"] = 'Bearer realm="tributary", error="invalid_token"';
      throw err;
    }
    const limit = deps.rateLimitPerMinute ?? env().API_RATE_LIMIT_PER_MINUTE;
    const rate = await consumeRateLimit(db, `token:${token.id}`, limit, { now });
    headers["X-RateLimit-Limit"] = String(rate.limit);
    headers["X-RateLimit-Remaining"] = String(rate.remaining);
    if (!rate.allowed) {
      headers["Retry-After"] = String(rate.retryAfterSeconds);
      throw new AppError("rate_limited", `Rate limit of ${limit} requests per minute exceeded; retry after ${rate.retryAfterSeconds} s.`);
    }
    const authenticated = token;
    const result = await runWithRequestContext({ token: { id: token.id, prefix: token.prefix, userId: token.user.id } }, () =>
      handle(endpoint, db, req, rawParams, deps, requestId, authenticated),
    );
    status = endpoint.status ?? 200;
    return json(status, result, headers);
  } catch (err) {
    if (err instanceof AppError) {
      status = err.status;
      if (err.retryAfterSeconds) headers["Retry-After"] = String(err.retryAfterSeconds);
      return json(status, errorBody(err.code, err.message, requestId, err.fieldErrors), headers);
    }
    log.error("api request failed", { request_id: requestId, operation: endpoint.operationId, error: err });
    return json(500, errorBody("internal", errorCodes.internal.message, requestId), headers);
  } finally {
    log.info("api request", {
      request_id: requestId,
      method: endpoint.method,
      operation: endpoint.operationId,
      status,
      ms: Math.round(performance.now() - started),
      token: token?.prefix,
    });
  }
}

/** Scope, then path, query and body, then the endpoint's service call; throws AppError on refusal. */
async function handle(endpoint: Endpoint, db: Database, req: Request, rawParams: Record<string, string>, deps: ApiDeps, requestId: string, token: AuthenticatedToken): Promise<unknown> {
  if (!token.scopes.includes(endpoint.scope)) {
    await recordAudit(db, {
      actor: { type: "user", id: token.user.id, label: token.user.email },
      action: "api.scope_denied",
      resource: { type: "api_token", id: token.id },
      result: "denied",
      details: { operation: endpoint.operationId, needed: endpoint.scope },
    });
    throw new AppError("forbidden", `This token lacks the scope "${endpoint.scope}".`);
  }
  const params = endpoint.params ? parseWith(endpoint.params, rawParams, "path") : undefined;
  const query = endpoint.query ? parseWith(endpoint.query, queryObject(new URL(req.url)), "query string") : undefined;
  let body: unknown;
  if (endpoint.body) {
    const text = await req.text();
    let raw: unknown = {};
    if (text.trim()) {
      try {
        raw = JSON.parse(text);
      } catch {
        throw new AppError("bad_request", "The request body is not valid JSON.");
      }
    }
    body = parseWith(endpoint.body, raw, "request body");
  }
  return endpoint.handler({ db, user: token.user, token, params, query, body, requestId, deps } as never);
}

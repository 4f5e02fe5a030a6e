import { unstable_rethrow } from "next/navigation";
import { AppError, errorCodes } from "@/lib/errors";
import { runWithRequestContext, requestContextFrom } from "./context";
import { createLogger } from "./log";
import { REQUEST_ID_HEADER, requestIdFrom } from "./request-id";

/**
 * A route handler with the request context set (audit entries and logs know the request) whose
 * failures answer in JSON: an AppError with its status and message, anything else as a 500 that
 * names only the request id, with the error itself in a structured log line under that id.
 * Next's own control flow (redirect(), notFound()) passes through.
 */
export function jsonRoute<A extends [Request, ...unknown[]]>(component: string, handler: (...args: A) => Promise<Response>): (...args: A) => Promise<Response> {
  const log = createLogger(component);
  return (...args: A) => {
    const req = args[0];
    // proxy.ts gives every request an id; a handler called without one (tests) gets its own.
    const requestId = requestIdFrom(req.headers.get(REQUEST_ID_HEADER));
    const ctx = { ...requestContextFrom(req.headers), correlationId: requestId };
    return runWithRequestContext(ctx, async () => {
      try {
        return await handler(...args);
      } catch (err) {
        unstable_rethrow(err);
        const headers = { [REQUEST_ID_HEADER]: requestId, "Cache-Control": "no-store" };
        if (err instanceof AppError) {
          const error = { code: err.code, message: err.message, ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}) };
          return Response.json({ error, requestId }, { status: err.status, headers });
        }
        log.error("route failed", { request_id: requestId, method: req.method, path: new URL(req.url).pathname, error: err });
        return Response.json({ error: { code: "internal", message: errorCodes.internal.message }, requestId }, { status: 500, headers });
      }
    });
  };
}

import { currentRequestContext } from "@/lib/ops/context";
import { createLogger } from "@/lib/ops/log";

/**
 * The one application error. Its code is a closed set mapped to an HTTP status and a message a
 * person can read; database and infrastructure detail is logged, never shown.
 */
export const errorCodes = {
  bad_request: { status: 400, message: "The request is not valid." },
  validation: { status: 422, message: "Some fields need attention." },
  unauthenticated: { status: 401, message: "Please sign in." },
  forbidden: { status: 403, message: "You do not have access to this." },
  not_found: { status: 404, message: "Not found." },
  method_not_allowed: { status: 405, message: "This method is not allowed here." },
  conflict: { status: 409, message: "This conflicts with the current state." },
  rate_limited: { status: 429, message: "Too many attempts. Please wait and try again." },
  unavailable: { status: 503, message: "A dependency is unavailable. Please try again shortly." },
  internal: { status: 500, message: "Something went wrong on our side." },
} as const;

export type ErrorCode = keyof typeof errorCodes;
export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fieldErrors?: FieldErrors;
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message?: string, opts?: { fieldErrors?: FieldErrors; retryAfterSeconds?: number; cause?: unknown }) {
    super(message ?? errorCodes[code].message, { cause: opts?.cause });
    this.name = "AppError";
    this.code = code;
    this.fieldErrors = opts?.fieldErrors;
    this.retryAfterSeconds = opts?.retryAfterSeconds;
  }

  get status(): number {
    return errorCodes[this.code].status;
  }
}

export type ActionError = { code: ErrorCode; message: string; fieldErrors?: FieldErrors };
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };

/** Converts anything thrown into what a client may see; unknown errors are logged and hidden. */
export function toActionError(err: unknown): ActionError {
  if (err instanceof AppError) return { code: err.code, message: err.message, fieldErrors: err.fieldErrors };
  createLogger("app").error("unexpected error", { request_id: currentRequestContext()?.correlationId, error: err });
  return { code: "internal", message: errorCodes.internal.message };
}

import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { getDb, type Database } from "@/db/client";
import { decideAccess, type RequiredRole, type SessionUser } from "@/lib/auth/roles";
import { AppError, toActionError, type ActionResult, type FieldErrors } from "@/lib/errors";
import { requestContextFrom, runWithRequestContext, type RequestContext } from "@/lib/ops/context";
import { formDataToObject } from "./form";

/**
 * The one wrapper every server action goes through: parse the input (FormData or a plain
 * object) with a zod schema, check who is asking, run, and always answer with an
 * ActionResult — never a thrown error the client cannot read. Next's own control-flow
 * throws (redirect(), notFound()) pass through untouched.
 *
 *   export const inviteUserAction = safeAction({ schema: InviteSchema, role: "admin" },
 *     async (input, { user, db }) => createInvitation(db, user, input));
 *
 * The result is callable as `action(input)` and as `useActionState`'s `(prevState, formData)`.
 */
export type ActionContext = { user: SessionUser; db: Database };
export type PublicActionContext = { user: SessionUser | null; db: Database };

export type SafeAction<I, T> = {
  (input: FormData | I): Promise<ActionResult<T>>;
  (prevState: ActionResult<T> | null | undefined, input: FormData): Promise<ActionResult<T>>;
};

export type SafeActionDeps = {
  getUser: () => Promise<SessionUser | null>;
  getDb: () => Database;
  /** Request id, client address and user agent for audit entries and logs (lib/ops/context.ts). */
  getContext?: () => Promise<RequestContext>;
};

/** Zod issues to per-field messages; issues without a path go under "_form". */
export function toFieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join(".") : "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

function pickInput(args: unknown[]): unknown {
  if (args.length >= 2 && args[1] instanceof FormData) return args[1];
  return args[0];
}

async function parse<S extends z.ZodType>(schema: S, raw: unknown): Promise<z.output<S>> {
  const input = raw instanceof FormData ? formDataToObject(raw) : (raw ?? {});
  const parsed = await schema.safeParseAsync(input);
  if (!parsed.success) throw new AppError("validation", undefined, { fieldErrors: toFieldErrors(parsed.error) });
  return parsed.data;
}

export function createSafeActionClient(deps: SafeActionDeps) {
  async function guard<T>(run: () => Promise<T>): Promise<ActionResult<T>> {
    const ctx = (await deps.getContext?.()) ?? {};
    return runWithRequestContext(ctx, async () => {
      try {
        return { ok: true as const, data: await run() };
      } catch (err) {
        unstable_rethrow(err);
        return { ok: false as const, error: toActionError(err) };
      }
    });
  }

  /** Signed-in users only; with `role`, only users holding it (see lib/auth/roles.ts). */
  function safeAction<S extends z.ZodType, T>(
    opts: { schema: S; role?: RequiredRole },
    handler: (input: z.output<S>, ctx: ActionContext) => Promise<T>,
  ): SafeAction<z.input<S>, T> {
    return (async (...args: unknown[]) => {
      return guard(async () => {
        const user = await deps.getUser();
        const decision = decideAccess(user, opts.role);
        if (decision === "unauthenticated" || !user) throw new AppError("unauthenticated");
        if (decision === "forbidden") throw new AppError("forbidden");
        return handler(await parse(opts.schema, pickInput(args)), { user, db: deps.getDb() });
      });
    }) as SafeAction<z.input<S>, T>;
  }

  /** For the few actions a signed-out visitor may call (accepting an invitation). */
  function publicAction<S extends z.ZodType, T>(
    opts: { schema: S },
    handler: (input: z.output<S>, ctx: PublicActionContext) => Promise<T>,
  ): SafeAction<z.input<S>, T> {
    return (async (...args: unknown[]) => {
      return guard(async () => {
        const input = await parse(opts.schema, pickInput(args));
        return handler(input, { user: await deps.getUser(), db: deps.getDb() });
      });
    }) as SafeAction<z.input<S>, T>;
  }

  return { safeAction, publicAction };
}

async function defaultGetUser(): Promise<SessionUser | null> {
  // Imported lazily: the session module pulls in next-auth and next/headers, which only work
  // inside a request; tests build their own client with createSafeActionClient.
  const { getSessionUser } = await import("@/lib/auth/session");
  return getSessionUser();
}

async function defaultGetContext(): Promise<RequestContext> {
  const { headers } = await import("next/headers");
  try {
    return requestContextFrom(await headers());
  } catch {
    // Called outside a request (a script, a test without Next): no request to describe.
    return {};
  }
}

export const { safeAction, publicAction } = createSafeActionClient({ getUser: defaultGetUser, getDb, getContext: defaultGetContext });

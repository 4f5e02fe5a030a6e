import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { Database } from "@/db/client";
import type { SessionUser } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { formArray, formDataToObject } from "./form";
import { createSafeActionClient } from "./safe-action";

const consumer: SessionUser = { id: "u1", email: "c@x.test", name: "C", orgId: "o1", orgKind: "internal", roles: [], teams: [] };
const admin: SessionUser = { ...consumer, id: "u2", roles: ["admin"] };
const fakeDb = {} as Database;

function client(user: SessionUser | null) {
  return createSafeActionClient({ getUser: async () => user, getDb: () => fakeDb });
}

const Schema = z.object({
  email: z.string({ error: "Enter an email." }).pipe(z.email("Enter a valid email.")),
  count: z.coerce.number().int().min(1, "At least 1."),
  tags: formArray(z.string()),
});

describe("safeAction", () => {
  it("rejects a signed-out caller before running or even parsing", async () => {
    const handler = vi.fn(async () => "ran");
    const action = client(null).safeAction({ schema: Schema }, handler);
    const result = await action({ email: "bad", count: 0, tags: [] });
    expect(result).toEqual({ ok: false, error: { code: "unauthenticated", message: "Please sign in." } });
    expect(handler).not.toHaveBeenCalled();
  });

  it("rejects a user without the required role", async () => {
    const handler = vi.fn(async () => "ran");
    const action = client(consumer).safeAction({ schema: Schema, role: "admin" }, handler);
    const result = await action({ email: "a@b.test", count: 1, tags: [] });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe("forbidden");
    expect(handler).not.toHaveBeenCalled();
  });

  it("returns per-field messages for invalid FormData", async () => {
    const action = client(admin).safeAction({ schema: Schema, role: "admin" }, async () => "ran");
    const form = new FormData();
    form.set("email", "not-an-email");
    form.set("count", "0");
    const result = await action(null, form);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("validation");
    expect(result.error.fieldErrors).toEqual({ email: ["Enter a valid email."], count: ["At least 1."] });
  });

  it("runs with parsed input and the user, from FormData or an object", async () => {
    const action = client(admin).safeAction({ schema: Schema, role: "admin" }, async (input, { user }) => ({ ...input, by: user.id }));
    const form = new FormData();
    form.set("email", "a@b.test");
    form.set("count", "3");
    form.append("tags", "x");
    form.append("tags", "y");
    expect(await action(form)).toEqual({ ok: true, data: { email: "a@b.test", count: 3, tags: ["x", "y"], by: "u2" } });
    expect(await action({ email: "a@b.test", count: 1, tags: "solo" } as never)).toEqual({
      ok: true,
      data: { email: "a@b.test", count: 1, tags: ["solo"], by: "u2" },
    });
  });

  it("turns AppError into its code and hides unexpected errors", async () => {
    const conflict = client(consumer).safeAction({ schema: z.object({}) }, async () => {
      throw new AppError("conflict", "Already subscribed.", { fieldErrors: { plan: ["Pick another plan."] } });
    });
    expect(await conflict({})).toEqual({ ok: false, error: { code: "conflict", message: "Already subscribed.", fieldErrors: { plan: ["Pick another plan."] } } });
    // Unexpected errors go to the structured log on stderr (lib/errors.ts).
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const crash = client(consumer).safeAction({ schema: z.object({}) }, async () => {
      throw new Error("connection refused at 10.0.0.5:5432");
    });
    const result = await crash({});
    expect(result).toEqual({ ok: false, error: { code: "internal", message: "Something went wrong on our side." } });
    spy.mockRestore();
  });

  it("lets public actions run signed out, still validating", async () => {
    const { publicAction } = client(null);
    const action = publicAction({ schema: z.object({ token: z.string().min(1, "Missing token.") }) }, async (input, { user }) => ({ token: input.token, user }));
    expect(await action({ token: "abc" })).toEqual({ ok: true, data: { token: "abc", user: null } });
    const bad = await action({ token: "" });
    expect(!bad.ok && bad.error.fieldErrors).toEqual({ token: ["Missing token."] });
  });
});

describe("formDataToObject", () => {
  it("drops empty strings and groups repeated keys", () => {
    const form = new FormData();
    form.set("a", "");
    form.set("b", "1");
    form.append("c", "x");
    form.append("c", "y");
    form.set("$ACTION_ID_123", "");
    expect(formDataToObject(form)).toEqual({ b: "1", c: ["x", "y"] });
  });
});

"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Alert, Button, Input } from "@/components/ui";
import { SignInSchema } from "@/lib/auth/schemas";
import { signInErrorMessage } from "./sign-in-messages";

type FieldErrors = Partial<Record<"email" | "password", string[]>>;

export function SignInForm({
  callbackUrl,
  initialError,
  oidcName,
}: {
  callbackUrl: string;
  initialError: string | null;
  oidcName: string | null;
}) {
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(signInErrorMessage(initialError));
  const [pending, setPending] = useState<"credentials" | "oidc" | null>(null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const parsed = SignInSchema.safeParse({ email: form.get("email") ?? "", password: form.get("password") ?? "" });
    if (!parsed.success) {
      const errs: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path[0] as keyof FieldErrors;
        (errs[key] ??= []).push(issue.message);
      }
      setFieldErrors(errs);
      setFormError(null);
      return;
    }
    setFieldErrors({});
    setFormError(null);
    setPending("credentials");
    try {
      const result = await signIn("credentials", { ...parsed.data, redirect: false, callbackUrl });
      if (result?.ok && !result.error) {
        // A full navigation, so the server-rendered header picks up the new session.
        window.location.assign(callbackUrl);
        return;
      }
      setFormError(signInErrorMessage(result?.error ?? "unknown"));
    } catch {
      setFormError("Could not reach the server. Check your connection and try again.");
    }
    setPending(null);
  }

  return (
    <div className="space-y-6">
      {formError && <Alert tone="error">{formError}</Alert>}
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <Input name="email" type="email" label="Email" autoComplete="username" required error={fieldErrors.email} autoFocus />
        <Input name="password" type="password" label="Password" autoComplete="current-password" required error={fieldErrors.password} />
        <Button type="submit" className="w-full" loading={pending === "credentials"} disabled={pending !== null}>
          Sign in
        </Button>
      </form>
      {oidcName && (
        <>
          <div className="flex items-center gap-3 text-xs uppercase tracking-wide text-slate-400" aria-hidden="true">
            <span className="h-px flex-1 bg-slate-200" />
            or
            <span className="h-px flex-1 bg-slate-200" />
          </div>
          <Button
            variant="secondary"
            className="w-full"
            loading={pending === "oidc"}
            disabled={pending !== null}
            onClick={() => {
              setPending("oidc");
              void signIn("oidc", { callbackUrl });
            }}
          >
            Sign in with {oidcName}
          </Button>
        </>
      )}
    </div>
  );
}

"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Input } from "@/components/ui";
import type { ActionResult, FieldErrors } from "@/lib/errors";

/**
 * The submit logic shared by the forms that create an account (invitation, sign-up): run the
 * action, show its field errors, and on success sign the new user in with the password just
 * typed. Submitted by hand rather than through <form action>, so a failed attempt keeps what
 * the person typed (React resets uncontrolled forms after an action).
 */
export function useNewAccountForm(
  action: (form: FormData) => Promise<ActionResult<{ email: string }>>,
  extra: Record<string, string> = {},
) {
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    for (const [k, v] of Object.entries(extra)) form.set(k, v);
    setPending(true);
    setFormError(null);
    const result = await action(form);
    if (!result.ok) {
      setFieldErrors(result.error.fieldErrors ?? {});
      setFormError(result.error.fieldErrors ? null : result.error.message);
      setPending(false);
      return;
    }
    setFieldErrors({});
    const signedIn = await signIn("credentials", { email: result.data.email, password: String(form.get("password")), redirect: false });
    window.location.assign(signedIn?.ok && !signedIn.error ? "/catalog" : "/sign-in");
  }

  return { fieldErrors, formError, pending, onSubmit };
}

export function NewPasswordFields({ fieldErrors }: { fieldErrors: FieldErrors }) {
  return (
    <>
      <Input
        name="password"
        type="password"
        label="Choose a password"
        hint="At least 12 characters. A few unrelated words make a good one."
        autoComplete="new-password"
        required
        error={fieldErrors.password}
      />
      <Input name="confirmPassword" type="password" label="Repeat the password" autoComplete="new-password" required error={fieldErrors.confirmPassword} />
    </>
  );
}

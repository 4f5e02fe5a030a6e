"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Alert, Button, Input } from "@/components/ui";
import { signUpAction } from "@/lib/auth/actions";
import type { FieldErrors } from "@/lib/errors";

export function SignUpForm() {
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setFormError(null);
    const result = await signUpAction(form);
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

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {formError && <Alert tone="error">{formError}</Alert>}
      <Input name="name" label="Your name" autoComplete="name" required error={fieldErrors.name} autoFocus />
      <Input name="company" label="Company" autoComplete="organization" required error={fieldErrors.company} />
      <Input name="email" type="email" label="Work email" autoComplete="email" required error={fieldErrors.email} />
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
      <Button type="submit" className="w-full" loading={pending}>
        Create account
      </Button>
    </form>
  );
}

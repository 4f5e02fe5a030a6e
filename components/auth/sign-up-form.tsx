"use client";

import { Alert, Button, Input } from "@/components/ui";
import { signUpAction } from "@/lib/auth/actions";
import { NewPasswordFields, useNewAccountForm } from "./new-account";

export function SignUpForm() {
  const { fieldErrors, formError, pending, onSubmit } = useNewAccountForm(signUpAction);

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {formError && <Alert tone="error">{formError}</Alert>}
      <Input name="name" label="Your name" autoComplete="name" required error={fieldErrors.name} autoFocus />
      <Input name="company" label="Company" autoComplete="organization" required error={fieldErrors.company} />
      <Input name="email" type="email" label="Work email" autoComplete="email" required error={fieldErrors.email} />
      <NewPasswordFields fieldErrors={fieldErrors} />
      <Button type="submit" className="w-full" loading={pending}>
        Create account
      </Button>
    </form>
  );
}

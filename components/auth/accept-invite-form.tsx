"use client";

import { Alert, Button, Input } from "@/components/ui";
import { acceptInvitationAction } from "@/lib/auth/actions";
import { NewPasswordFields, useNewAccountForm } from "./new-account";

export function AcceptInviteForm({ token, email }: { token: string; email: string }) {
  const { fieldErrors, formError, pending, onSubmit } = useNewAccountForm(acceptInvitationAction, { token });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {formError && <Alert tone="error">{formError}</Alert>}
      <Input name="email-display" label="Email" value={email} readOnly disabled autoComplete="username" />
      <Input name="name" label="Your name" autoComplete="name" required error={fieldErrors.name} autoFocus />
      <NewPasswordFields fieldErrors={fieldErrors} />
      <Button type="submit" className="w-full" loading={pending}>
        Create account and sign in
      </Button>
    </form>
  );
}

"use client";

import { ConfirmButton } from "@/components/ui";
import { revokeInvitationAction } from "@/lib/auth/actions";

export function RevokeInvitationButton({ invitationId, email }: { invitationId: string; email: string }) {
  return (
    <ConfirmButton
      label="Revoke"
      ariaLabel={`Revoke invitation for ${email}`}
      question="Revoke this invitation?"
      confirmLabel="Yes, revoke"
      onConfirm={async () => {
        const result = await revokeInvitationAction({ invitationId });
        return result.ok ? null : result.error.message;
      }}
    />
  );
}

"use client";

import { ConfirmButton } from "@/components/ui";
import { revokeApiTokenAction } from "@/lib/api/actions";

/** Revoking is immediate and final, so it asks first. */
export function RevokeTokenButton({ tokenId, name }: { tokenId: string; name: string }) {
  return (
    <ConfirmButton
      label="Revoke"
      ariaLabel={`Revoke token ${name}`}
      question="Revoke now? Clients using it stop working."
      confirmLabel="Yes, revoke"
      onConfirm={async () => {
        const result = await revokeApiTokenAction({ tokenId });
        return result.ok ? null : result.error.message;
      }}
    />
  );
}

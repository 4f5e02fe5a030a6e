"use client";

import { useRouter } from "next/navigation";
import { ConfirmButton } from "@/components/ui";
import { discardDraftAction } from "@/lib/publishing/actions";

/** Throws a draft away after an in-page confirmation; published products are retired, never discarded. */
export function DiscardDraftButton({ productId, name, redirectTo }: { productId: string; name: string; redirectTo?: string }) {
  const router = useRouter();
  return (
    <ConfirmButton
      label="Discard draft"
      ariaLabel={`Discard draft ${name}`}
      question={`Discard ${name}? Every saved step is deleted.`}
      confirmLabel="Yes, discard"
      onConfirm={async () => {
        const res = await discardDraftAction({ productId });
        if (!res.ok) return res.error.message;
        if (redirectTo) router.push(redirectTo);
        router.refresh();
        return null;
      }}
    />
  );
}

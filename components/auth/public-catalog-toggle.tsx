"use client";

import { useState } from "react";
import { Alert, Button, Checkbox } from "@/components/ui";
import { setPublicCatalogAction } from "@/lib/settings/actions";

export function PublicCatalogToggle({ initial }: { initial: boolean }) {
  const [value, setValue] = useState(initial);
  const [saved, setSaved] = useState(initial);
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);

  return (
    <form
      className="space-y-4"
      onSubmit={async (e) => {
        e.preventDefault();
        setPending(true);
        const result = await setPublicCatalogAction({ publicCatalog: value });
        setPending(false);
        if (result.ok) {
          setSaved(result.data.publicCatalog);
          setMessage({ tone: "success", text: result.data.publicCatalog ? "The catalog is now public." : "The catalog now requires sign-in." });
        } else {
          setMessage({ tone: "error", text: result.error.message });
        }
      }}
    >
      <Checkbox
        name="publicCatalog"
        id="publicCatalog"
        checked={value}
        onChange={(e) => setValue(e.target.checked)}
        label="Let signed-out visitors browse the catalog and product pages"
        hint="Subscribing, credentials and everything else still require an account."
      />
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
      <Button type="submit" loading={pending} disabled={value === saved}>
        Save
      </Button>
    </form>
  );
}

"use client";

import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui";

type CopyState = "idle" | "copied" | "failed";

/**
 * Copies `text` to the clipboard. The label changes to "Copied" (or says the copy failed) for a
 * moment, and a polite live region announces it, since a changed button label alone is not
 * read out by every screen reader.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<CopyState>("idle");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function copy() {
    clearTimeout(timer.current);
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      // Clipboard access can be refused (insecure origin, permissions); the text stays selectable.
      setState("failed");
    }
    timer.current = setTimeout(() => setState("idle"), 2000);
  }

  return (
    <>
      <Button size="sm" variant="secondary" aria-label={state === "copied" ? `Copied ${label}` : `Copy ${label}`} onClick={copy}>
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : "Copy"}
      </Button>
      <span role="status" className="sr-only">
        {state === "copied" ? `${label} copied to the clipboard` : state === "failed" ? `Could not copy ${label}; select the text instead` : ""}
      </span>
    </>
  );
}

"use client";

import { useEffect } from "react";

/**
 * Brings the element a notification link points at into view and marks it, for pages whose
 * lists are rendered by other components (e.g. /owner/requests?request=<id>). It looks the
 * element up by a CSS selector after render, scrolls to it, outlines it and moves focus there,
 * so keyboard and screen-reader users start at the item too.
 */
export function FocusTarget({ selector }: { selector: string }) {
  useEffect(() => {
    const el = document.querySelector<HTMLElement>(selector);
    if (!el) return;
    el.scrollIntoView({ block: "center" });
    el.classList.add("ring-2", "ring-brand-500", "ring-offset-2", "rounded-lg");
    el.setAttribute("data-highlighted", "true");
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
  }, [selector]);
  return null;
}

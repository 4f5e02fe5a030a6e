"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Re-renders the server page every `intervalMs` while `active`: provisioning finishes in the
 * worker, and polling a server component is simpler than pushing state for a few seconds' wait.
 * Bounded by `maxTicks` so a stuck subscription does not poll forever in a forgotten tab.
 */
export function AutoRefresh({ active, intervalMs = 2000, maxTicks = 300 }: { active: boolean; intervalMs?: number; maxTicks?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
      if (ticks > maxTicks) {
        clearInterval(timer);
        return;
      }
      router.refresh();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs, maxTicks, router]);
  return null;
}

"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { Button, Select, Spinner } from "@/components/ui";

export type PickerPeriod = { key: string; label: string; status: "open" | "closed" | "none" };

/**
 * Month picker: a GET form (works without JavaScript; the button submits it), navigating as
 * soon as a month is chosen when scripts run. Changing the month keeps the drill-down.
 */
export function PeriodPicker({ periods, value, keep }: { periods: PickerPeriod[]; value: string; keep: Record<string, string | undefined> }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const go = (period: string) => {
    const qs = new URLSearchParams({ period });
    for (const [k, v] of Object.entries(keep)) if (v) qs.set(k, v);
    start(() => router.push(`/finance?${qs.toString()}`));
  };
  return (
    <form action="/finance" method="get" className="flex items-end gap-2" onSubmit={(e) => (e.preventDefault(), go(String(new FormData(e.currentTarget).get("period"))))}>
      {Object.entries(keep).map(([k, v]) => (v ? <input key={k} type="hidden" name={k} value={v} /> : null))}
      <Select name="period" id="period" label="Period" value={value} onChange={(e) => go(e.target.value)} wrapperClassName="w-52">
        {periods.map((p) => (
          <option key={p.key} value={p.key}>
            {p.label}
            {p.status === "closed" ? " (closed)" : ""}
          </option>
        ))}
      </Select>
      <Button type="submit" variant="secondary" className="h-10">
        Show
      </Button>
      {pending && (
        <span role="status" className="flex h-10 items-center gap-2 text-sm text-slate-600">
          <Spinner /> Loading…
        </span>
      )}
    </form>
  );
}

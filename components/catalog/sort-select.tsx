"use client";

import type { ReactNode } from "react";

/** Submits its form when the sort changes; without JavaScript the form's Search button applies it. */
export function SortSelect({ defaultValue, children }: { defaultValue: string; children: ReactNode }) {
  return (
    <select
      id="sort"
      name="sort"
      defaultValue={defaultValue}
      onChange={(e) => e.currentTarget.form?.requestSubmit()}
      className="h-10 rounded-md border border-slate-300 bg-white px-3 pr-8 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100"
    >
      {children}
    </select>
  );
}

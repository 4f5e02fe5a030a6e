import type { ComponentProps } from "react";
import { cn } from "./cn";

export type BadgeTone = "neutral" | "brand" | "green" | "amber" | "red" | "purple" | "orange";

const tones: Record<BadgeTone, string> = {
  neutral: "bg-slate-100 text-slate-700 ring-slate-200",
  brand: "bg-brand-50 text-brand-700 ring-brand-100",
  green: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  amber: "bg-amber-50 text-amber-800 ring-amber-200",
  red: "bg-red-50 text-red-800 ring-red-200",
  purple: "bg-violet-50 text-violet-800 ring-violet-200",
  orange: "bg-orange-50 text-orange-800 ring-orange-200",
};

export function Badge({ tone = "neutral", className, ...rest }: ComponentProps<"span"> & { tone?: BadgeTone }) {
  return (
    <span
      className={cn("inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", tones[tone], className)}
      {...rest}
    />
  );
}

export type PiiKind = "direct" | "quasi" | "sensitive";

const piiInfo: Record<PiiKind, { label: string; tone: BadgeTone; title: string }> = {
  direct: { label: "PII: direct identifier", tone: "red", title: "Identifies a person on its own (e.g. phone number, email, account number)" },
  quasi: { label: "PII: quasi-identifier", tone: "amber", title: "Can identify a person when combined with other data (e.g. location, birth date)" },
  sensitive: { label: "PII: sensitive", tone: "purple", title: "Special-category or financial data that needs extra protection" },
};

/** Renders nothing for non-PII values, so callers can pass the contract's `pii` as is. */
export function PiiBadge({ kind, compact }: { kind: string | null | undefined; compact?: boolean }) {
  if (kind !== "direct" && kind !== "quasi" && kind !== "sensitive") return null;
  const info = piiInfo[kind];
  return (
    <Badge tone={info.tone} title={info.title}>
      {compact ? info.label.replace("PII: ", "") : info.label}
    </Badge>
  );
}

const classificationTone: Record<string, BadgeTone> = {
  public: "green",
  internal: "brand",
  confidential: "amber",
  restricted: "red",
};

export function ClassificationBadge({ value }: { value: string }) {
  return (
    <Badge tone={classificationTone[value] ?? "neutral"} title="Data classification">
      {value.charAt(0).toUpperCase() + value.slice(1)}
    </Badge>
  );
}

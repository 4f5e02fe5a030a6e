import { Badge, type BadgeTone } from "@/components/ui";
import type { HealthStatus } from "@/lib/products/health";

const looks: Record<HealthStatus, { label: string; tone: BadgeTone; dot: string }> = {
  healthy: { label: "Healthy", tone: "green", dot: "bg-emerald-500" },
  degraded: { label: "Degraded", tone: "amber", dot: "bg-amber-500" },
  stale: { label: "Stale", tone: "red", dot: "bg-red-500" },
  no_data: { label: "No data", tone: "neutral", dot: "bg-slate-400" },
};

/** The status in words (never colour alone), with the reason as a hover title and for screen readers. */
export function HealthBadge({ status, reason }: { status: HealthStatus; reason: string }) {
  const l = looks[status];
  return (
    <Badge tone={l.tone} title={reason} className="gap-1.5">
      <span aria-hidden="true" className={`inline-block h-1.5 w-1.5 rounded-full ${l.dot}`} />
      {l.label}
      <span className="sr-only">: {reason}</span>
    </Badge>
  );
}

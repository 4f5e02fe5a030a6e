import { formatDuration } from "@/lib/catalog/format";

/** "12.5/s", "0.02/s", "0/s": records per second for stat tiles and tables. */
export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec) || perSec <= 0) return "0/s";
  if (perSec >= 1000) return `${(perSec / 1000).toFixed(perSec >= 10_000 ? 0 : 1)}k/s`;
  if (perSec >= 10) return `${Math.round(perSec)}/s`;
  if (perSec >= 0.1) return `${perSec.toFixed(1)}/s`;
  return `${perSec.toFixed(2)}/s`;
}

export function formatShare(share: number | null): string {
  if (share == null) return "—";
  if (share === 0) return "0%";
  if (share < 0.001) return "<0.1%";
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

/** "4 seconds", "3 minutes 2 seconds"; "—" when unknown. */
export function formatLag(seconds: number | null): string {
  return seconds == null ? "—" : formatDuration(seconds);
}

/** "2026-03-04 12:29:50 UTC": server-rendered pages show UTC so the markup is the same for everyone. */
export function formatUtc(d: Date | null): string {
  if (!d) return "—";
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

import { CSV_BOM, csvCell } from "@/lib/audit/csv";
import type { SessionUser } from "@/lib/auth/roles";
import type { Db } from "@/db/client";
import { formatMajor } from "./pricing";
import { getChargeLines, getChargebackRows, type ReportFilter } from "./queries";
import type { ChargebackLevel } from "./schemas";

/**
 * Chargeback CSV: RFC 4180 (CRLF, quoted fields, doubled quotes) with a UTF-8 BOM so Excel
 * opens accents right, through lib/audit's cell encoder, which also defuses formula injection
 * (a text cell starting with = + - @ tab or CR gets a leading apostrophe; team and product names
 * are typed by users). Amounts are exact decimal major units ("12.34", "-5.00") with a currency
 * column, never summed across currencies; a plain number is left as a number, so a negative
 * adjustment stays numeric instead of becoming text.
 */
const NUMBER = /^-?\d+(\.\d+)?$/;

export function financeCsvCell(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "string" && NUMBER.test(value)) return value;
  return csvCell(value);
}

export function financeCsv(header: string[], rows: unknown[][]): string {
  const line = (cells: unknown[]) => cells.map(financeCsvCell).join(",") + "\r\n";
  return CSV_BOM + line(header) + rows.map(line).join("");
}

/** The whole export for one level of one period (the same data the page shows). */
export async function buildChargebackCsv(db: Db, viewer: SessionUser, level: ChargebackLevel, f: ReportFilter): Promise<string> {
  if (level === "subscription") {
    const lines = await getChargeLines(db, viewer, f);
    return financeCsv(
      [
        "period",
        "cost_center_code",
        "cost_center_name",
        "team",
        "team_name",
        "subscription_id",
        "product",
        "product_name",
        "owning_team",
        "plan",
        "kind",
        "quantity",
        "currency",
        "amount",
        "description",
        "compensates_charge_id",
      ],
      lines.map((l) => [
        l.period,
        l.costCenterCode ?? "",
        l.costCenterName ?? "No cost center",
        l.teamSlug,
        l.teamName,
        l.subscriptionId,
        l.productSlug,
        l.productName,
        l.ownerTeamName,
        l.planName,
        l.kind,
        l.quantity,
        l.currency,
        formatMajor(l.amountMinor, l.currency),
        l.description,
        l.compensatesChargeId ?? "",
      ]),
    );
  }
  const rows = await getChargebackRows(db, viewer, level, f);
  const head: Record<Exclude<ChargebackLevel, "subscription">, string[]> = {
    "cost-center": ["period", "cost_center_code", "cost_center_name", "currency", "amount", "charge_lines"],
    team: ["period", "team_name", "team", "currency", "amount", "charge_lines"],
    product: ["period", "product_name", "product", "currency", "amount", "charge_lines"],
  };
  const out: unknown[][] = [];
  for (const r of rows) {
    for (const t of r.totals) {
      const label = level === "cost-center" && r.key === "none" ? "" : r.label;
      const detail = level === "cost-center" && r.key === "none" ? "No cost center" : (r.detail ?? "");
      out.push([f.period, label, detail, t.currency, formatMajor(t.amountMinor, t.currency), r.lines]);
    }
  }
  return financeCsv(head[level], out);
}

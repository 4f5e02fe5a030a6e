import { CSV_BOM, csvCell } from "@/lib/audit/csv";
import type { SessionUser } from "@/lib/auth/roles";
import type { Db } from "@/db/client";
import { periodBounds } from "./periods";
import { formatMajor } from "./pricing";
import { getChargeLines, getChargebackRows, type ReportFilter } from "./queries";
import type { ChargebackCsvLevel } from "./schemas";

/**
 * Chargeback CSV: RFC 4180 (CRLF, quoted fields, doubled quotes) with a UTF-8 BOM so Excel
 * opens accents right. Every column has a type, because a spreadsheet guesses types from text:
 *
 * - `number` (amounts, quantities, counts): exact decimals ("12.34", "-5.00") written as they
 *   are, so they stay numeric (amounts in major units with a currency column, never summed across
 *   currencies). Anything else in a number column is a bug and throws.
 * - `date`: ISO dates ("2026-10-01"). The period is written as its first and last day: a bare
 *   "2026-10" would be turned into some date by Excel anyway, and not reliably the 1st.
 * - `code` (cost-center codes, slugs, ids): kept as text even when a spreadsheet would read it as
 *   a number, date, time or boolean ("0100" would lose its zero, "1-2" become a date). Such a
 *   value is written as the text formula ="0100", and only when it consists of letters, digits,
 *   spaces and . _ : / + - — no quote or operator can get inside, so this is no formula
 *   injection; any other value is a plain text cell.
 * - `text` (names, descriptions, typed by users): lib/audit's encoder, which defuses formula
 *   injection (a cell starting with = + - @ tab or CR gets a leading apostrophe).
 */
export type CsvColumnType = "text" | "code" | "number" | "date";

const NUMBER = /^-?\d+(\.\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTHS = "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*";
/** Text a spreadsheet would convert on opening (Excel, LibreOffice and Google Sheets differ; this covers their common guesses). */
const COERCED = [
  /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?$/, // numbers, leading zeros, 1e5, 5%
  /^\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?$/, // 2026-10, 10/11, 1-2, 1.2.26
  /^\d{1,2}:\d{2}(:\d{2})?( ?[ap]m)?$/i, // times
  new RegExp(`^${MONTHS}[- /]\\d{1,4}$`, "i"), // Oct-26, Mar 1
  new RegExp(`^\\d{1,2}[- /]${MONTHS}([- /]\\d{2,4})?$`, "i"), // 1-Mar, 01 Oct 2026
  /^(true|false)$/i,
];
const SAFE_CODE = /^[A-Za-z0-9 ._:/+%-]+$/;

export function wouldBeCoerced(value: string): boolean {
  return COERCED.some((re) => re.test(value.trim()));
}

export function financeCsvCell(value: unknown, type: CsvColumnType = "text"): string {
  if (value === null || value === undefined || value === "") return "";
  const s = String(value);
  switch (type) {
    case "number":
      if (typeof value === "number" || typeof value === "bigint" || NUMBER.test(s)) return s;
      throw new Error(`not a number for a number column: ${s}`);
    case "date":
      if (DATE.test(s)) return s;
      throw new Error(`not an ISO date for a date column: ${s}`);
    case "code":
      if (wouldBeCoerced(s) && SAFE_CODE.test(s)) return `"=""${s}"""`;
      return csvCell(s);
    case "text":
      return csvCell(s);
  }
}

export type CsvColumn = { name: string; type: CsvColumnType };

export function financeCsv(columns: CsvColumn[], rows: unknown[][]): string {
  const line = (cells: unknown[]) => cells.map((c, i) => financeCsvCell(c, columns[i]?.type ?? "text")).join(",") + "\r\n";
  return CSV_BOM + columns.map((c) => c.name).join(",") + "\r\n" + rows.map(line).join("");
}

const col = (name: string, type: CsvColumnType): CsvColumn => ({ name, type });

/** First and last day of the period, ISO. */
function periodDays(key: string): [string, string] {
  const { start, end } = periodBounds(key);
  return [start.toISOString().slice(0, 10), new Date(end.getTime() - 86_400_000).toISOString().slice(0, 10)];
}

/** The whole export for one level of one period (the same data the page shows). */
export async function buildChargebackCsv(db: Db, viewer: SessionUser, level: ChargebackCsvLevel, f: ReportFilter): Promise<string> {
  const [from, to] = periodDays(f.period);
  if (level === "subscription") {
    const lines = await getChargeLines(db, viewer, f);
    return financeCsv(
      [
        col("period_start", "date"),
        col("period_end", "date"),
        col("cost_center_code", "code"),
        col("cost_center_name", "text"),
        col("team", "code"),
        col("team_name", "text"),
        col("subscription_id", "code"),
        col("product", "code"),
        col("product_name", "text"),
        col("owning_team", "text"),
        col("plan", "text"),
        col("kind", "code"),
        col("quantity", "number"),
        col("currency", "code"),
        col("amount", "number"),
        col("description", "text"),
        col("compensates_charge_id", "code"),
      ],
      lines.map((l) => [
        from,
        to,
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
  // Group label and detail per level: which is a code and which a name.
  const group: Record<Exclude<ChargebackCsvLevel, "subscription">, [CsvColumn, CsvColumn]> = {
    "cost-center": [col("cost_center_code", "code"), col("cost_center_name", "text")],
    team: [col("team_name", "text"), col("team", "code")],
    product: [col("product_name", "text"), col("product", "code")],
    "owner-team": [col("owning_team_name", "text"), col("owning_team", "code")],
  };
  const out: unknown[][] = [];
  for (const r of rows) {
    for (const t of r.totals) {
      const label = level === "cost-center" && r.key === "none" ? "" : r.label;
      const detail = level === "cost-center" && r.key === "none" ? "No cost center" : (r.detail ?? "");
      out.push([from, to, label, detail, t.currency, formatMajor(t.amountMinor, t.currency), r.lines]);
    }
  }
  return financeCsv([col("period_start", "date"), col("period_end", "date"), ...group[level], col("currency", "code"), col("amount", "number"), col("charge_lines", "number")], out);
}

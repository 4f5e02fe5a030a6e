import type { AuditRow } from "./queries";

/**
 * CSV per RFC 4180 (CRLF line ends, fields with comma, quote, CR or LF quoted, quotes doubled),
 * UTF-8 with a BOM so spreadsheet apps read non-ASCII names right. Cells a spreadsheet would
 * run as a formula (starting with = + - @ tab or CR) get a leading apostrophe (OWASP's CSV
 * injection advice): the audit log holds text that outsiders typed (justifications, emails).
 */
export const CSV_BOM = "\uFEFF";

export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? "" : value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: unknown[]): string {
  return cells.map(csvCell).join(",") + "\r\n";
}

export const AUDIT_CSV_HEADER = [
  "id",
  "event_version",
  "at",
  "actor_type",
  "actor_id",
  "actor_label",
  "action",
  "resource_type",
  "resource_id",
  "result",
  "ip",
  "user_agent",
  "correlation_id",
  "details",
];

export function auditCsvLine(r: AuditRow): string {
  return csvLine([r.id, r.eventVersion, r.at, r.actorType, r.actorId, r.actorLabel, r.action, r.resourceType, r.resourceId, r.result, r.ip, r.userAgent, r.correlationId, r.details]);
}

/** The whole export as a stream: BOM, header, then rows as they are read. */
export function auditCsvStream(batches: AsyncIterable<AuditRow[]>): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const it = batches[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(enc.encode(CSV_BOM + csvLine(AUDIT_CSV_HEADER)));
        return;
      }
      const next = await it.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(enc.encode(next.value.map(auditCsvLine).join("")));
    },
    async cancel() {
      await it.return?.(undefined);
    },
  });
}

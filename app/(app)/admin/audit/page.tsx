import type { Metadata } from "next";
import Link from "next/link";
import { AdminNav } from "@/components/auth/admin-nav";
import { Alert, Badge, ButtonLink, EmptyState, Input, Pagination, Select, hrefWith, type SearchParamsRecord } from "@/components/ui";
import { getDb } from "@/db/client";
import { toFieldErrors } from "@/lib/actions/safe-action";
import { AuditFilterSchema, listAuditResourceTypes, searchAuditLog, type AuditFilter } from "@/lib/audit/queries";
import { requireRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Audit log" };

const dateFmt = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: "UTC" });
const resultTone = { success: "green", denied: "amber", failure: "red" } as const;
const FILTER_KEYS = ["actor", "action", "resourceType", "resourceId", "result", "from", "to"] as const;

function first(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v) ?? "";
}

export default async function AdminAuditPage({ searchParams }: { searchParams: Promise<SearchParamsRecord> }) {
  await requireRole("admin");
  const sp = await searchParams;
  const db = getDb();
  const parsed = AuditFilterSchema.safeParse(sp);
  const fieldErrors = parsed.success ? {} : toFieldErrors(parsed.error);
  const filter: AuditFilter = parsed.success ? parsed.data : {};
  const page = Number(first(sp.page)) || 1;
  const [result, resourceTypes] = await Promise.all([parsed.success ? searchAuditLog(db, filter, { page }) : null, listAuditResourceTypes(db)]);
  const filterParams = Object.fromEntries(FILTER_KEYS.map((k) => [k, first(sp[k]) || undefined]));
  const csvHref = hrefWith("/api/admin/audit.csv", filterParams);
  const active = FILTER_KEYS.some((k) => first(sp[k]));

  return (
    <main className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Administration</h1>
        <AdminNav current="/admin/audit" />
      </div>
      <p className="text-sm text-slate-600">
        Every decision and change, append-only: the app&apos;s database role may only add entries, and the database refuses edits and deletions. Times are UTC.
      </p>

      <form method="get" action="/admin/audit" role="search" aria-label="Filter the audit log" className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-4">
        <Input name="actor" id="f-actor" label="Actor" placeholder="email or user id" defaultValue={first(sp.actor)} error={fieldErrors.actor} />
        <Input name="action" id="f-action" label="Action starts with" placeholder="access_request." defaultValue={first(sp.action)} error={fieldErrors.action} />
        <Select name="resourceType" id="f-rtype" label="Resource type" defaultValue={first(sp.resourceType)} error={fieldErrors.resourceType}>
          <option value="">Any</option>
          {resourceTypes.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
        <Input name="resourceId" id="f-rid" label="Resource id" defaultValue={first(sp.resourceId)} error={fieldErrors.resourceId} />
        <Select name="result" id="f-result" label="Result" defaultValue={first(sp.result)} error={fieldErrors.result}>
          <option value="">Any</option>
          <option value="success">Success</option>
          <option value="denied">Denied</option>
          <option value="failure">Failure</option>
        </Select>
        <Input name="from" id="f-from" type="date" label="From (UTC)" defaultValue={first(sp.from)} error={fieldErrors.from} />
        <Input name="to" id="f-to" type="date" label="To (UTC, inclusive)" defaultValue={first(sp.to)} error={fieldErrors.to} />
        <div className="flex items-end gap-2">
          <button type="submit" className="inline-flex h-10 items-center rounded-md bg-brand-600 px-4 text-sm font-medium text-white shadow-sm hover:bg-brand-700">
            Search
          </button>
          {active && (
            <ButtonLink href="/admin/audit" variant="ghost">
              Clear
            </ButtonLink>
          )}
        </div>
      </form>

      {!parsed.success ? (
        <Alert tone="error" title="Some filters are not valid">
          Fix the highlighted fields and search again.
        </Alert>
      ) : result && result.rows.length === 0 ? (
        <EmptyState title={active ? "No entries match these filters" : "The audit log is empty"}>{active ? "Widen the time range or clear a filter." : "Entries appear as people act."}</EmptyState>
      ) : result ? (
        <>
          <div className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-sm text-slate-600" role="status">
              {result.totalIsCapped ? `More than ${result.total.toLocaleString("en-GB")} entries (narrow the filters or export to see them all)` : `${result.total.toLocaleString("en-GB")} entr${result.total === 1 ? "y" : "ies"}`} · page {result.page} of {result.pageCount}
            </p>
            <ButtonLink href={csvHref} variant="secondary" size="sm" prefetch={false} download>
              Export CSV
            </ButtonLink>
          </div>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Audit entries, newest first</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2">When</th>
                  <th scope="col" className="px-4 py-2">Actor</th>
                  <th scope="col" className="px-4 py-2">Action</th>
                  <th scope="col" className="px-4 py-2">Resource</th>
                  <th scope="col" className="px-4 py-2">Result</th>
                  <th scope="col" className="px-4 py-2">Details</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 align-top">
                {result.rows.map((r) => (
                  <tr key={r.id}>
                    <td className="whitespace-nowrap px-4 py-2 text-slate-700">
                      <time dateTime={r.at.toISOString()}>{dateFmt.format(r.at)}</time>
                    </td>
                    <td className="px-4 py-2">
                      <div className="text-slate-900">{r.actorLabel ?? (r.actorType === "system" ? "system" : (r.actorId ?? r.actorType))}</div>
                      <div className="text-xs text-slate-500">{r.actorType}</div>
                    </td>
                    <td className="px-4 py-2 font-mono text-xs text-slate-900">{r.action}</td>
                    <td className="px-4 py-2">
                      <div className="text-slate-700">{r.resourceType}</div>
                      {r.resourceId && (
                        <Link
                          href={hrefWith("/admin/audit", { resourceType: r.resourceType, resourceId: r.resourceId })}
                          className="block max-w-48 truncate font-mono text-xs text-brand-700 hover:underline"
                          title={`Only entries about ${r.resourceType} ${r.resourceId}`}
                        >
                          {r.resourceId}
                        </Link>
                      )}
                    </td>
                    <td className="px-4 py-2">
                      <Badge tone={resultTone[r.result]}>{r.result}</Badge>
                    </td>
                    <td className="px-4 py-2">
                      <details>
                        <summary className="cursor-pointer text-sm font-medium text-brand-700">
                          Show<span className="sr-only"> details of entry {r.id}</span>
                        </summary>
                        <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
                          <dt className="text-slate-500">Entry</dt>
                          <dd className="font-mono">
                            #{r.id} (event v{r.eventVersion})
                          </dd>
                          <dt className="text-slate-500">Actor id</dt>
                          <dd className="font-mono">{r.actorId ?? "—"}</dd>
                          <dt className="text-slate-500">From</dt>
                          <dd className="font-mono">{r.ip ?? "—"}</dd>
                          <dt className="text-slate-500">User agent</dt>
                          <dd className="max-w-xs break-words font-mono">{r.userAgent ?? "—"}</dd>
                          <dt className="text-slate-500">Correlation</dt>
                          <dd className="font-mono">{r.correlationId ?? "—"}</dd>
                        </dl>
                        <pre className="mt-2 max-h-64 max-w-xl overflow-auto rounded bg-slate-50 p-2 text-xs text-slate-800">{JSON.stringify(r.details, null, 2)}</pre>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination pathname="/admin/audit" searchParams={sp} page={result.page} pageCount={result.pageCount} />
        </>
      ) : null}
    </main>
  );
}

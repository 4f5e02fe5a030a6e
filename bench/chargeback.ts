/**
 * `npm run bench:chargeback`: a month's chargeback on 10,000 subscriptions × 720 hourly usage
 * rows (7.2 M ledger rows), and ledger ingestion through the meter's own write path.
 *
 * Creates its own database (DATABASE_URL's server, or an embedded PostgreSQL when unset),
 * migrates it, seeds the demo world (teams, cost centers, products, plans) and N subscriptions
 * spread over the demo teams and priced plans, each with a delivery topic and group prefix, then:
 *  - ledger ingestion: `runMeterOnce` — the function workers/meter.ts calls — against an
 *    in-memory cluster view in which every subscription's consumer group committed one more
 *    hour of records, for the first --meter-hours hours: per subscription one transaction with
 *    the advisory lock, checkpoints, byte-index lookups, the adding ledger upsert (and its
 *    usage_monthly rollup trigger) and the checkpoint upsert. Rows/s = ledger rows written / wall
 *    time. A re-run with the same committed offsets must add nothing (idempotency is the
 *    checkpoints');
 *  - the other hours are bulk-inserted with one INSERT … SELECT per day (the rollup trigger runs
 *    for those too), reported for information only;
 *  - report (the goal): compute the month's charges from the rollup (`recomputePeriodCharges`:
 *    price every subscription and write the period's changed lines in one transaction) + build
 *    the finance report (`loadFinancePage`) + render the page body (`FinanceScreen`) to HTML
 *    with react-dom/server, timed together per sample, p50/p95. Before each sample (untimed)
 *    every subscription's usage grows, so every sample rewrites all 10,000 lines. Also: drilled
 *    into a team (the charge lines), the month's first computation (all lines inserted) and the
 *    subscription-level CSV;
 *  - for information: aggregating the month straight from the 7.2 M ledger rows (what the
 *    charges used to be computed from), checked equal to the rollup.
 * Not timed: the session lookup, Next.js routing, the app layout and network transfer.
 * Flags: --subs N (default 10000), --hours N (default 720), --meter-hours N (default 3),
 * --runs N (default 20), --keep (keep the database).
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { rm } from "node:fs/promises";
import path from "node:path";
import { sql } from "drizzle-orm";
import { AppRouterContext, type AppRouterInstance } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { FinanceScreen } from "@/components/finance/finance-screen";
import { createDb } from "@/db/client";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import { runMigrations } from "@/db/migrate";
import { seedDemoWorld } from "@/db/seed/demo";
import { DEMO_LOGINS } from "@/db/seed/world";
import { loadSessionUser } from "@/lib/auth/queries";
import { recomputePeriodCharges } from "@/lib/billing/charges";
import { buildChargebackCsv } from "@/lib/billing/csv";
import { periodBounds } from "@/lib/billing/periods";
import { loadFinancePage, type ReportFilter } from "@/lib/billing/queries";
import { env } from "@/lib/env";
import { runMeterOnce } from "@/lib/metering/meter";
import type { OffsetSource } from "@/lib/metering/offsets";
import { freePort } from "@/lib/net/free-port";
import { dropDatabase, withAdmin } from "@/lib/testing/pg";
import { formatTable, round, summarize, timeMs, writeResults, type Summary } from "./lib/stats";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}
const SUBS = flag("subs", 10_000);
const HOURS = flag("hours", 720);
const METER_HOURS = Math.min(flag("meter-hours", 3), HOURS);
const RUNS = flag("runs", 20);
const KEEP = process.argv.includes("--keep");
const PERIOD = "2026-10";
const HOUR_MS = 3_600_000;
/** Records per delivery topic per hour in the meter phase, and their sizes (bytes). */
const RECORDS_PER_HOUR = 1_200;
const recordSize = (i: number) => 300 + ((i * 7919) % 900);

const e = env();
let embedded: EmbeddedDatabase | undefined;
let serverUrl = e.DATABASE_URL;
const benchPgDir = path.join(e.DATA_DIR, "bench-pg");
if (!serverUrl) {
  await rm(benchPgDir, { recursive: true, force: true });
  const port = await freePort();
  console.log(`[bench] starting embedded PostgreSQL on 127.0.0.1:${port}`);
  embedded = await startEmbeddedPostgres({ dir: benchPgDir, port, database: "postgres" });
  serverUrl = embedded.url;
} else {
  console.log(`[bench] using DATABASE_URL's server (${new URL(serverUrl).host})`);
}
const dbName = `trib_bench_${randomBytes(4).toString("hex")}`;
await withAdmin(serverUrl, (s) => s.unsafe(`create database ${dbName}`));
const url = new URL(serverUrl);
url.pathname = `/${dbName}`;
const { sql: pg, db } = createDb(url.toString(), 10);

async function cleanup() {
  await pg.end({ timeout: 5 });
  if (!KEEP) await dropDatabase(serverUrl!, dbName);
  else console.log(`[bench] kept database ${dbName}`);
  if (embedded) {
    await embedded.stop();
    await rm(benchPgDir, { recursive: true, force: true });
  }
}

async function sample(n: number, fn: () => Promise<unknown>): Promise<Summary> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) ms.push((await timeMs(fn)).ms);
  return summarize(ms);
}

/**
 * The cluster as the meter sees it through the admin API: after `hours` hours every group has
 * committed `hours × RECORDS_PER_HOUR` on partition 0 of its subscription's topic.
 */
function benchOffsetSource(groups: string[], state: { hours: number }): OffsetSource {
  return {
    listGroupIds: async () => groups,
    committedOffsets: async () => (state.hours === 0 ? new Map() : new Map([[0, state.hours * RECORDS_PER_HOUR]])),
    topicOffsets: async () => new Map([[0, { low: 0, high: state.hours * RECORDS_PER_HOUR }]]),
    close: async () => {},
  };
}

/** Client components call useRouter(); outside Next a stub router stands in (nothing navigates). */
const stubRouter: AppRouterInstance = {
  back() {},
  forward() {},
  refresh() {},
  hmrRefresh() {},
  push() {},
  replace() {},
  prefetch() {},
} as unknown as AppRouterInstance;

function renderFinance(data: NonNullable<Awaited<ReturnType<typeof loadFinancePage>>>, filter: ReportFilter, now: Date): string {
  return renderToString(createElement(AppRouterContext.Provider, { value: stubRouter }, createElement(FinanceScreen, { data, filter, now })));
}

const loadBefore = round(loadavg()[0]);
try {
  await runMigrations(url.toString());
  await seedDemoWorld(db);
  const [finRow] = await db.execute<{ id: string }>(sql`select id from users where email = ${DEMO_LOGINS.finance}`);
  const finance = (await loadSessionUser(db, finRow!.id))!;

  // Subscriptions: round-robin over teams × priced plans, activated before the month, each with
  // its product's delivery topic and its own group prefix (what provisioning sets).
  await db.execute(sql`
    with t as (select id, row_number() over (order by slug) - 1 as i, count(*) over () as n from teams),
         p as (select pl.id, pl.product_id, pl.tier_id, row_number() over (order by pl.id) - 1 as i, count(*) over () as n
               from plans pl join data_products d on d.id = pl.product_id where pl.active and d.status = 'published'),
         u as (select id from users where email = ${DEMO_LOGINS.admin})
    insert into subscriptions (product_id, plan_id, tier_id, contract_major, team_id, created_by, state, purpose, activated_at, delivery_topic)
    select p.product_id, p.id, p.tier_id, 1, t.id, (select id from u), 'active', 'bench', '2026-09-01T00:00:00Z', 'bench.' || p.product_id::text || '.v1'
    from generate_series(0, ${SUBS - 1}) g
    join t on t.i = g % t.n
    join p on p.i = (g * 7) % p.n
  `);
  await db.execute(sql`update subscriptions set group_prefix = 'bench.' || id::text || '.' where purpose = 'bench'`);
  const subRows = [...(await db.execute<{ id: string; group_prefix: string; delivery_topic: string }>(sql`select id, group_prefix, delivery_topic from subscriptions where purpose = 'bench' order by id`))];
  const topics = [...new Set(subRows.map((r) => r.delivery_topic))];
  console.log(`[bench] ${subRows.length.toLocaleString("en")} subscriptions on ${topics.length} delivery topics`);

  // ---- (b) ledger ingestion through the meter ---------------------------------------------
  // The router's byte index for every topic: one row per hour of records (bytes are exact).
  const monthStart = periodBounds(PERIOD).start.getTime();
  const hourBytes = Array.from({ length: RECORDS_PER_HOUR }, (_, i) => recordSize(i));
  const perHourBytes = hourBytes.reduce((a, b) => a + b, 0);
  for (let h = 0; h < METER_HOURS; h++) {
    for (const topic of topics) {
      await pg`insert into delivery_byte_index (topic, partition, base_offset, "offset", cumulative_bytes, record_bytes)
        values (${topic}, 0, ${h * RECORDS_PER_HOUR}, ${(h + 1) * RECORDS_PER_HOUR}, ${(h + 1) * perHourBytes}, ${hourBytes})`;
    }
  }
  const state = { hours: 0 };
  const source = benchOffsetSource(
    subRows.map((r) => `${r.group_prefix}app`),
    state,
  );
  // The meter first sees every subscription before any commit (as it does right after activation).
  await runMeterOnce(db, { source, now: () => new Date(monthStart - HOUR_MS) });
  let meterRows = 0;
  let meterMs = 0;
  for (let h = 0; h < METER_HOURS; h++) {
    state.hours = h + 1;
    const now = new Date(monthStart + h * HOUR_MS + 30 * 60_000);
    const { ms, value } = await timeMs(() => runMeterOnce(db, { source, now: () => now }));
    if (value.errors.length) throw new Error(`meter errors: ${value.errors[0]!.error}`);
    if (value.messages !== subRows.length * RECORDS_PER_HOUR) throw new Error(`meter counted ${value.messages} messages in hour ${h}`);
    meterRows += value.subscriptions;
    meterMs += ms;
    console.log(`[bench] meter hour ${h + 1}/${METER_HOURS}: ${value.subscriptions.toLocaleString("en")} subscriptions in ${round(ms / 1000, 1)} s`);
  }
  const ledgerRowsPerS = meterRows / (meterMs / 1000);
  const totals = async () => (await db.execute<{ n: number; m: string; b: string }>(sql`select count(*)::int as n, sum(messages)::text as m, sum(bytes)::text as b from usage_ledger`))[0]!;
  const beforeRerun = await totals();
  const rerun = await runMeterOnce(db, { source, now: () => new Date(monthStart + (METER_HOURS - 1) * HOUR_MS + 50 * 60_000) });
  const afterRerun = await totals();
  if (rerun.messages !== 0 || JSON.stringify(afterRerun) !== JSON.stringify(beforeRerun)) {
    throw new Error(`idempotency broken: a re-run counted ${rerun.messages} messages (${JSON.stringify(beforeRerun)} -> ${JSON.stringify(afterRerun)})`);
  }
  if (Number(afterRerun.b) !== subRows.length * METER_HOURS * perHourBytes) throw new Error(`bytes not exact: ${afterRerun.b}`);
  console.log(`[bench] meter: ${meterRows.toLocaleString("en")} ledger rows in ${round(meterMs / 1000, 1)} s = ${Math.round(ledgerRowsPerS).toLocaleString("en")} rows/s; re-run added nothing`);

  // ---- the rest of the month, bulk ---------------------------------------------------------
  const bulkStart = process.hrtime.bigint();
  let bulkRows = 0;
  for (let h0 = METER_HOURS; h0 < HOURS; h0 += 24) {
    const h1 = Math.min(HOURS, h0 + 24);
    await db.execute(sql`
      insert into usage_ledger (subscription_id, hour, messages, bytes, updated_at)
      select s.id, ${new Date(monthStart).toISOString()}::timestamptz + h * interval '1 hour',
        1000 + (h * 37 + ascii(s.id::text)) % 500, (1000 + (h * 37 + ascii(s.id::text)) % 500) * 700, now()
      from subscriptions s cross join generate_series(${h0}::int, ${h1 - 1}::int) h
      where s.purpose = 'bench'`);
    bulkRows += subRows.length * (h1 - h0);
  }
  const bulkS = Number(process.hrtime.bigint() - bulkStart) / 1e9;
  console.log(`[bench] bulk: ${bulkRows.toLocaleString("en")} more ledger rows in ${round(bulkS, 1)} s`);
  await db.execute(sql`vacuum analyze`);

  // ---- for information: the month straight from the raw ledger ----------------------------
  const p = periodBounds(PERIOD);
  const rawLedger = await sample(Math.min(RUNS, 3), () =>
    db.execute(sql`select subscription_id, sum(messages), sum(bytes) from usage_ledger
      where hour >= ${p.start.toISOString()}::timestamptz and hour < ${p.end.toISOString()}::timestamptz group by subscription_id`),
  );
  const [diff] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from (
      select subscription_id, sum(messages) as m, sum(bytes) as b from usage_ledger
      where hour >= ${p.start.toISOString()}::timestamptz and hour < ${p.end.toISOString()}::timestamptz group by 1
    ) l full join (select subscription_id, messages as m, bytes as b from usage_monthly where month = ${p.monthDate}::date) r using (subscription_id)
    where l.m is distinct from r.m or l.b is distinct from r.b`);
  if (diff!.n !== 0) throw new Error(`usage_monthly differs from the ledger for ${diff!.n} subscriptions`);
  const [{ ledger_rows: ledgerRows }] = (await db.execute<{ ledger_rows: number }>(sql`select count(*)::int as ledger_rows from usage_ledger`)) as unknown as [{ ledger_rows: number }];
  console.log(`[bench] ${ledgerRows.toLocaleString("en")} ledger rows; usage_monthly equals the ledger's month sums for every subscription`);

  // ---- (a) compute the month's charges + build the report + render the page ---------------
  const now = new Date("2026-10-22T12:00:00Z");
  const top: ReportFilter = { period: PERIOD };
  const parts = { recompute: [] as number[], data: [] as number[], render: [] as number[] };
  let htmlChars = 0;
  let lines = 0;
  // Between samples (not timed) every subscription's usage grows, as an hour of metering does,
  // so each sample's recompute really changes all 10,000 lines instead of finding nothing new.
  let bump = 0;
  async function meterAnotherHour(): Promise<void> {
    const hour = new Date(monthStart + (bump++ % HOURS) * HOUR_MS).toISOString();
    await db.execute(sql`update usage_ledger set messages = messages + 1000, bytes = bytes + 700000 where hour = ${hour}::timestamptz`);
  }
  async function fullReport(filter: ReportFilter, record: boolean): Promise<void> {
    const r = await timeMs(() => recomputePeriodCharges(db, PERIOD));
    const d = await timeMs(() => loadFinancePage(db, finance, filter, now));
    const t0 = process.hrtime.bigint();
    const html = renderFinance(d.value!, filter, now);
    const renderMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (!html.includes("Chargeback")) throw new Error("the finance page did not render");
    lines = r.value!.lines;
    htmlChars = html.length;
    if (record) {
      parts.recompute.push(r.ms);
      parts.data.push(d.ms);
      parts.render.push(renderMs);
    }
  }
  // The month's first computation inserts all its lines; later ones update what changed.
  const firstCompute = await timeMs(() => recomputePeriodCharges(db, PERIOD));
  await meterAnotherHour();
  await fullReport(top, false); // warm-up
  const reportMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await meterAnotherHour();
    reportMs.push((await timeMs(() => fullReport(top, true))).ms);
  }
  const report = summarize(reportMs);
  const recompute = summarize(parts.recompute);
  const pageData = summarize(parts.data);
  const render = summarize(parts.render);
  console.log(`[bench] report: ${lines.toLocaleString("en")} charge lines, ${htmlChars.toLocaleString("en")} chars of HTML`);

  const page = await loadFinancePage(db, finance, top, now);
  const cc = page!.chargeback.find((r) => r.key !== "none")!.key;
  const [teamRow] = await db.execute<{ id: string }>(sql`select id from teams where cost_center_id = ${cc}::uuid limit 1`);
  const drillFilter: ReportFilter = { period: PERIOD, costCenter: cc, team: teamRow!.id };
  const drillMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await meterAnotherHour();
    drillMs.push((await timeMs(() => fullReport(drillFilter, false))).ms);
  }
  const drill = summarize(drillMs);
  const csv = await sample(Math.min(RUNS, 5), () => buildChargebackCsv(db, finance, "subscription", { period: PERIOD }));
  const loadAfter = round(loadavg()[0]);

  const table: (string | number)[][] = [
    ["figure", "n", "p50 ms", "p95 ms", "max ms"],
    ["month's charges from the rollup + report + page render (goal)", report.n, report.p50, report.p95, report.max],
    ["  of which: compute charges (rollup -> 10k lines replaced)", recompute.n, recompute.p50, recompute.p95, recompute.max],
    ["  of which: finance page data (loadFinancePage)", pageData.n, pageData.p50, pageData.p95, pageData.max],
    ["  of which: render FinanceScreen to HTML", render.n, render.p50, render.p95, render.max],
    ["same, drilled into a team (charge lines)", drill.n, drill.p50, drill.p95, drill.max],
    ["a month's first computation (10k lines inserted)", 1, round(firstCompute.ms), round(firstCompute.ms), round(firstCompute.ms)],
    ["CSV, subscription level", csv.n, csv.p50, csv.p95, csv.max],
    ["for information: month aggregated from the raw ledger", rawLedger.n, rawLedger.p50, rawLedger.p95, rawLedger.max],
  ];
  console.log(`\nchargeback: ${SUBS.toLocaleString("en")} subscriptions × ${HOURS} hours (${ledgerRows.toLocaleString("en")} ledger rows) on ${cpus().length} CPUs`);
  console.log(`ledger ingestion through the meter (runMeterOnce, idempotent by checkpoints): ${Math.round(ledgerRowsPerS).toLocaleString("en")} rows/s`);
  console.log(`bulk fill (INSERT … SELECT with the rollup trigger, not the meter's path): ${Math.round(bulkRows / bulkS).toLocaleString("en")} rows/s`);
  console.log(formatTable(table));
  console.log(`load average (1 min) before/after: ${loadBefore} / ${loadAfter}`);
  const file = await writeResults("chargeback", {
    subscriptions: SUBS,
    hours: HOURS,
    ledger_rows: ledgerRows,
    ledger_rows_per_s: Math.round(ledgerRowsPerS),
    ledger_rows_metered: meterRows,
    meter_concurrency: 4,
    meter_batch: 100,
    bulk_rows_per_s: Math.round(bulkRows / bulkS),
    report_p50_ms: report.p50,
    report_p95_ms: report.p95,
    goal_report_ms: 1000,
    report_parts_p95_ms: { recompute: recompute.p95, page_data: pageData.p95, render: render.p95 },
    drilldown_p95_ms: drill.p95,
    first_compute_ms: round(firstCompute.ms),
    csv_subscription_p95_ms: csv.p95,
    raw_ledger_month_p50_ms: rawLedger.p50,
    raw_ledger_month_p95_ms: rawLedger.p95,
    charge_lines: lines,
    html_chars: htmlChars,
    timed:
      "report = recomputePeriodCharges (usage_monthly x plans -> charges, one transaction) + loadFinancePage + renderToString(FinanceScreen); ledger_rows_per_s = runMeterOnce (the meter worker's function) rows written / wall time. Excludes session lookup, Next.js routing, layout and network.",
    machine: { cpus: cpus().length, node: process.version, loadavg_1m_before: loadBefore, loadavg_1m_after: loadAfter },
  });
  console.log(`[bench] wrote ${path.relative(process.cwd(), file)}`);
} finally {
  await cleanup();
}

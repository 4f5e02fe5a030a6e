/**
 * `npm run bench:chargeback`: ledger ingestion and the month's chargeback on 10,000 subscriptions
 * × 720 hourly usage rows (7.2 M rows).
 *
 * Creates its own database (DATABASE_URL's server, or an embedded PostgreSQL when unset),
 * migrates it, seeds the demo world (teams, cost centers, products, plans), inserts N
 * subscriptions spread over the demo teams and priced plans, then:
 *  - ledger ingestion: hourly rows through `INSERT … ON CONFLICT (subscription_id, hour) DO
 *    UPDATE` batches (the meter's idempotent upsert), rows/s; a second pass over one batch
 *    re-sends the same rows and checks the count did not change;
 *  - recompute: `recomputePeriodCharges` for the month (aggregate the ledger, price every
 *    subscription, replace the charge lines in one transaction), p50/p95;
 *  - report: `loadFinancePage`, everything the /finance page reads (period, picker, chargeback
 *    by cost center, showback by owner team and product, 12-month trend), at the top level and
 *    drilled into a team, p50/p95; plus the subscription-level CSV.
 * Not included: the session lookup, React rendering and network transfer.
 * Flags: --subs N (default 10000), --hours N (default 720), --runs N (default 20), --keep.
 */
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { rm } from "node:fs/promises";
import path from "node:path";
import { sql } from "drizzle-orm";
import { createDb } from "@/db/client";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import { runMigrations } from "@/db/migrate";
import { seedDemoWorld } from "@/db/seed/demo";
import { DEMO_LOGINS } from "@/db/seed/world";
import { loadSessionUser } from "@/lib/auth/queries";
import { recomputePeriodCharges } from "@/lib/billing/charges";
import { buildChargebackCsv } from "@/lib/billing/csv";
import { periodBounds } from "@/lib/billing/periods";
import { loadFinancePage } from "@/lib/billing/queries";
import { env } from "@/lib/env";
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
const RUNS = flag("runs", 20);
const KEEP = process.argv.includes("--keep");
const PERIOD = "2026-10";
const BATCH_HOURS = 24; // rows per upsert statement = subscriptions in a slice × 24 hours

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

try {
  await runMigrations(url.toString());
  await seedDemoWorld(db);
  const [finRow] = await db.execute<{ id: string }>(sql`select id from users where email = ${DEMO_LOGINS.finance}`);
  const finance = (await loadSessionUser(db, finRow!.id))!;

  // Subscriptions: round-robin over teams × active plans, activated before the month.
  await db.execute(sql`
    with t as (select id, row_number() over (order by slug) - 1 as i, count(*) over () as n from teams),
         p as (select pl.id, pl.product_id, pl.tier_id, row_number() over (order by pl.id) - 1 as i, count(*) over () as n
               from plans pl join data_products d on d.id = pl.product_id where pl.active and d.status = 'published'),
         u as (select id from users where email = ${DEMO_LOGINS.admin})
    insert into subscriptions (product_id, plan_id, tier_id, contract_major, team_id, created_by, state, purpose, activated_at)
    select p.product_id, p.id, p.tier_id, 1, t.id, (select id from u), 'active', 'bench', '2026-09-01T00:00:00Z'
    from generate_series(0, ${SUBS - 1}) g
    join t on t.i = g % t.n
    join p on p.i = (g * 7) % p.n
  `);
  const subIds = [...(await db.execute<{ id: string }>(sql`select id from subscriptions order by id`))].map((r) => r.id);
  console.log(`[bench] ${subIds.length.toLocaleString("en")} subscriptions`);

  // ---- ledger ingestion: idempotent upserts --------------------------------------------
  const start = periodBounds(PERIOD).start.getTime();
  const slice = Math.max(1, Math.floor(10_000 / BATCH_HOURS));
  let rows = 0;
  async function upsert(ids: string[], h0: number, hours: number) {
    const batch: { s: string; h: string; m: number; b: number }[] = [];
    for (const id of ids) {
      for (let h = h0; h < h0 + hours; h++) {
        const msgs = 1000 + ((h * 37 + id.charCodeAt(0)) % 500);
        batch.push({ s: id, h: new Date(start + h * 3_600_000).toISOString(), m: msgs, b: msgs * 700 });
      }
    }
    await pg`
      insert into usage_ledger (subscription_id, hour, messages, bytes, updated_at)
      select x.s, x.h, x.m, x.b, now() from json_to_recordset(${JSON.stringify(batch)}::text::json) as x(s uuid, h timestamptz, m bigint, b bigint)
      on conflict (subscription_id, hour) do update
        set messages = excluded.messages, bytes = excluded.bytes, updated_at = excluded.updated_at`;
    return batch.length;
  }
  const t0 = process.hrtime.bigint();
  let lastLog = Date.now();
  for (let h0 = 0; h0 < HOURS; h0 += BATCH_HOURS) {
    for (let i = 0; i < subIds.length; i += slice) {
      rows += await upsert(subIds.slice(i, i + slice), h0, Math.min(BATCH_HOURS, HOURS - h0));
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      console.log(`[bench] ${rows.toLocaleString("en")} ledger rows`);
    }
  }
  const ingestS = Number(process.hrtime.bigint() - t0) / 1e9;
  const ledgerRowsPerS = rows / ingestS;
  await upsert(subIds.slice(0, slice), 0, BATCH_HOURS); // a re-send: must not add rows
  const [{ n }] = await db.execute<{ n: number }>(sql`select count(*)::int as n from usage_ledger`);
  if (n !== rows) throw new Error(`idempotency broken: ${n} rows after re-send, expected ${rows}`);
  console.log(`[bench] ${rows.toLocaleString("en")} rows in ${round(ingestS, 1)} s; re-send kept ${n.toLocaleString("en")}`);
  await db.execute(sql`vacuum analyze`);

  // ---- recompute and report ------------------------------------------------------------
  const recompute = await sample(Math.min(RUNS, 5), () => recomputePeriodCharges(db, PERIOD));
  const now = new Date("2026-11-22T00:00:00Z");
  const report = await sample(RUNS, () => loadFinancePage(db, finance, { period: PERIOD }, now));
  const page = await loadFinancePage(db, finance, { period: PERIOD }, now);
  const cc = page!.chargeback.find((r) => r.key !== "none")!.key;
  const [teamRow] = await db.execute<{ id: string }>(sql`select id from teams where cost_center_id = ${cc}::uuid limit 1`);
  const drill = await sample(RUNS, () => loadFinancePage(db, finance, { period: PERIOD, costCenter: cc, team: teamRow!.id }, now));
  const csv = await sample(Math.min(RUNS, 5), () => buildChargebackCsv(db, finance, "subscription", { period: PERIOD }));

  const table: (string | number)[][] = [
    ["figure", "n", "p50 ms", "p95 ms", "max ms"],
    ["recompute month (ledger → charges)", recompute.n, round(recompute.p50), round(recompute.p95), round(recompute.max)],
    ["finance page data (top level)", report.n, round(report.p50), round(report.p95), round(report.max)],
    ["finance page data (team drill-down)", drill.n, round(drill.p50), round(drill.p95), round(drill.max)],
    ["CSV, subscription level", csv.n, round(csv.p50), round(csv.p95), round(csv.max)],
  ];
  console.log(`\nchargeback: ${SUBS.toLocaleString("en")} subscriptions × ${HOURS} hours on ${cpus().length} CPUs`);
  console.log(`ledger ingestion (idempotent upsert): ${Math.round(ledgerRowsPerS).toLocaleString("en")} rows/s`);
  console.log(formatTable(table));
  const file = await writeResults("chargeback", {
    subscriptions: SUBS,
    hours: HOURS,
    ledger_rows: rows,
    ledger_rows_per_s: Math.round(ledgerRowsPerS),
    report_p50_ms: round(report.p50),
    report_p95_ms: round(report.p95),
    drilldown_p95_ms: round(drill.p95),
    recompute_p50_ms: round(recompute.p50),
    recompute_p95_ms: round(recompute.p95),
    csv_subscription_p95_ms: round(csv.p95),
    goal_report_ms: 1000,
    cpus: cpus().length,
  });
  console.log(`[bench] wrote ${file}`);
} finally {
  await cleanup();
}

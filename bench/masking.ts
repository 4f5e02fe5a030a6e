/**
 * Masking engine micro-benchmark: records/s of parse -> mask -> stringify for a realistic nested
 * telco event (~1 KB) at each tier, against JSON.parse + JSON.stringify alone in the same process.
 * CPU only, one core, no Kafka: this is the transform's share of the router's budget
 * (research notes M1: ~80k rec/s parse+stringify, 52-63k rec/s with 4 masked fields).
 *
 *   npm run bench:masking [-- --seconds=2 --rounds=3]
 *
 * Writes bench/results/masking.json.
 */
import { cpus, loadavg } from "node:os";
import { compileMaskingPolicy, deriveProductKey, type MaskFn, type MaskingField } from "@/lib/masking";
import { formatTable, round, writeResults } from "./lib/stats";

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  const n = hit ? Number(hit.slice(name.length + 3)) : fallback;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

const SECONDS = Math.min(arg("seconds", 2), 30);
const ROUNDS = Math.min(Math.round(arg("rounds", 3)), 10);
const RECORDS = 1_000;

const fields: MaskingField[] = [
  { path: "event_id", type: "string", pii: "none" },
  { path: "event_time", type: "string", pii: "quasi" },
  { path: "event_type", type: "string", pii: "none" },
  { path: "subscriber.msisdn", type: "string", pii: "direct" },
  { path: "subscriber.imsi", type: "string", pii: "direct" },
  { path: "subscriber.email", type: "string", pii: "direct" },
  { path: "subscriber.age", type: "integer", pii: "quasi" },
  { path: "subscriber.plan", type: "string", pii: "none" },
  { path: "subscriber.segment", type: "string", pii: "none" },
  { path: "device.imei", type: "string", pii: "direct" },
  { path: "device.model", type: "string", pii: "none" },
  { path: "device.os", type: "string", pii: "none" },
  { path: "device.ip", type: "string", pii: "quasi" },
  { path: "location.lat", type: "number", pii: "quasi" },
  { path: "location.lon", type: "number", pii: "quasi" },
  { path: "location.accuracy_m", type: "integer", pii: "none" },
  { path: "cells[].id", type: "string", pii: "none" },
  { path: "cells[].rsrp", type: "number", pii: "none" },
  { path: "cells[].rsrq", type: "number", pii: "none" },
  { path: "cells[].band", type: "integer", pii: "none" },
  { path: "session.bytes_up", type: "integer", pii: "none" },
  { path: "session.bytes_down", type: "integer", pii: "none" },
  { path: "session.duration_ms", type: "integer", pii: "none" },
  { path: "session.apn", type: "string", pii: "none" },
  { path: "signals[]", type: "number", pii: "none" },
  { path: "health_note", type: "string", pii: "sensitive" },
];

const tiers: { name: string; fullAccess: boolean; rules: Record<string, unknown> }[] = [
  { name: "full", fullAccess: true, rules: {} },
  {
    name: "internal",
    fullAccess: false,
    rules: {
      event_time: { strategy: "generalize", truncate: "minute" },
      "subscriber.msisdn": { strategy: "hash" },
      "subscriber.imsi": { strategy: "tokenize" },
      "subscriber.email": { strategy: "hash" },
      "subscriber.age": { strategy: "generalize", bucket: 5 },
      "device.imei": { strategy: "partial", keepLast: 4 },
      "device.ip": { strategy: "generalize", prefixBits: 24 },
      "location.lat": { strategy: "generalize", decimals: 3 },
      "location.lon": { strategy: "generalize", decimals: 3 },
      health_note: { strategy: "drop" },
    },
  },
  {
    name: "partner",
    fullAccess: false,
    rules: {
      event_time: { strategy: "generalize", truncate: "hour" },
      "subscriber.msisdn": { strategy: "tokenize", format: "preserve" },
      "subscriber.imsi": { strategy: "drop" },
      "subscriber.email": { strategy: "redact" },
      "subscriber.age": { strategy: "generalize", bucket: 10 },
      "device.imei": { strategy: "drop" },
      "device.ip": { strategy: "generalize", prefixBits: 16 },
      "location.lat": { strategy: "generalize", decimals: 1 },
      "location.lon": { strategy: "generalize", decimals: 1 },
      health_note: { strategy: "drop" },
    },
  },
  {
    name: "public",
    fullAccess: false,
    rules: {
      event_time: { strategy: "generalize", truncate: "day" },
      subscriber: { strategy: "drop" },
      "device.imei": { strategy: "drop" },
      "device.ip": { strategy: "drop" },
      location: { strategy: "drop" },
      health_note: { strategy: "drop" },
    },
  },
];

/** Deterministic PRNG (mulberry32) so every run masks the same records. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeRecord(r: () => number, i: number): Record<string, unknown> {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join("");
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const t = Date.UTC(2026, 10, 22) + Math.floor(r() * 86_400_000);
  return {
    event_id: `evt-${i.toString(36).padStart(8, "0")}-${digits(6)}`,
    event_time: new Date(t).toISOString(),
    event_type: pick(["session_start", "session_end", "handover", "data_usage"]),
    subscriber: {
      msisdn: `+4477${digits(8)}`,
      imsi: `23415${digits(10)}`,
      email: `user${digits(5)}@example.net`,
      age: 18 + Math.floor(r() * 70),
      plan: pick(["prepaid-basic", "postpaid-unlimited", "business-pro"]),
      segment: pick(["consumer", "smb", "enterprise"]),
      first_name: "not in the contract",
    },
    device: {
      imei: `35${digits(13)}`,
      model: pick(["Pixel 9", "iPhone 17", "Galaxy S26", "Fairphone 6"]),
      os: pick(["android 16", "ios 26"]),
      ip: `10.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`,
    },
    location: { lat: 51 + r(), lon: -1 + r(), accuracy_m: Math.floor(r() * 500) },
    cells: Array.from({ length: 4 }, () => ({
      id: `cell-${digits(7)}`,
      rsrp: -70 - Math.round(r() * 500) / 10,
      rsrq: -3 - Math.round(r() * 170) / 10,
      band: pick([1, 3, 7, 20, 28, 78]),
      vendor_debug: "0x" + digits(12),
    })),
    session: {
      bytes_up: Math.floor(r() * 5e7),
      bytes_down: Math.floor(r() * 5e8),
      duration_ms: Math.floor(r() * 3.6e6),
      apn: pick(["internet", "ims", "corp.example"]),
    },
    signals: Array.from({ length: 8 }, () => Math.round(r() * 1000) / 10),
    health_note: pick(["", "wheelchair user", "hearing aid"]),
  };
}

type Case = { name: string; step: (buf: Buffer, i: number) => number };

function timeOnce(step: Case["step"], corpus: Buffer[]): { count: number; secs: number; bytes: number } {
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(SECONDS * 1e9));
  let count = 0;
  let bytes = 0;
  // Check the clock every 256 records so timing costs little.
  for (;;) {
    for (let k = 0; k < 256; k++) {
      const i = (count + k) % corpus.length;
      step(corpus[i], i);
      bytes += corpus[i].length;
    }
    count += 256;
    if (process.hrtime.bigint() - start >= budget) break;
  }
  return { count, secs: Number(process.hrtime.bigint() - start) / 1e9, bytes };
}

/**
 * Median records/s per case. Rounds interleave the cases, so load from other processes on a
 * shared machine hits baseline and tiers alike and the ratios stay fair.
 */
function measureAll(cases: Case[], corpus: Buffer[]): { name: string; recordsPerSec: number; mbPerSec: number }[] {
  // Warm-up lets V8 optimise each case before it is timed.
  for (const c of cases) for (let i = 0; i < 20_000; i++) c.step(corpus[i % corpus.length], i % corpus.length);
  const rates = cases.map(() => [] as number[]);
  const avgBytes = corpus.reduce((a, b) => a + b.length, 0) / corpus.length;
  for (let r = 0; r < ROUNDS; r++) {
    cases.forEach((c, i) => {
      const t = timeOnce(c.step, corpus);
      rates[i].push(t.count / t.secs);
    });
  }
  return cases.map((c, i) => {
    const sorted = [...rates[i]].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    return { name: c.name, recordsPerSec: Math.round(median), mbPerSec: round((median * avgBytes) / 1e6, 1) };
  });
}

function compileTier(tier: (typeof tiers)[number], key: Buffer): MaskFn {
  return compileMaskingPolicy({ fields, rules: tier.rules, fullAccess: tier.fullAccess, key, tier: tier.name });
}

async function main() {
  const loadBefore = round(loadavg()[0], 2);
  const key = deriveProductKey("bench-master-secret-0123456789abcdef", "bench-product", 1);
  const r = rng(42);
  const sources = Array.from({ length: RECORDS }, (_, i) => makeRecord(r, i));
  const corpus = sources.map((s) => Buffer.from(JSON.stringify(s)));
  const avgBytes = Math.round(corpus.reduce((a, b) => a + b.length, 0) / corpus.length);
  const compiled = tiers.map((t) => ({ name: t.name, mask: compileTier(t, key) }));

  // Refuse to time a transform that leaks: a fast wrong answer is not a result.
  for (const { name, mask } of compiled) {
    if (name === "full") continue;
    for (const s of sources.slice(0, 50)) {
      const out = mask(s);
      if (!out.ok) throw new Error(`tier ${name} failed on a bench record: ${out.reason}`);
      const text = JSON.stringify(out.value);
      const sub = s.subscriber as Record<string, unknown>;
      for (const secret of [sub.msisdn, sub.imsi, sub.email, (s.device as Record<string, unknown>).imei, "not in the contract"]) {
        if (text.includes(String(secret))) throw new Error(`tier ${name} leaked ${String(secret)}`);
      }
    }
  }

  let sink = 0;
  const cases: Case[] = [
    {
      name: "baseline: JSON.parse + JSON.stringify",
      step: (buf) => (sink += Buffer.from(JSON.stringify(JSON.parse(buf.toString("utf8")))).length),
    },
    ...compiled.map(({ name, mask }) => ({
      name: `tier ${name}: parse + mask + stringify`,
      step: (buf: Buffer) => {
        const out = mask(JSON.parse(buf.toString("utf8")));
        if (!out.ok) throw new Error(out.reason);
        return (sink += Buffer.from(JSON.stringify(out.value)).length);
      },
    })),
    {
      name: "3 tiers (internal, partner, public): parse once, mask + stringify each",
      step: (buf: Buffer) => {
        const record = JSON.parse(buf.toString("utf8"));
        for (let i = 1; i < compiled.length; i++) {
          const out = compiled[i].mask(record);
          if (!out.ok) throw new Error(out.reason);
          sink += Buffer.from(JSON.stringify(out.value)).length;
        }
        return sink;
      },
    },
  ];

  const maskOnlyCases: Case[] = compiled.map(({ name, mask }) => ({
    name,
    step: (_buf: Buffer, i: number) => (mask(sources[i]).ok ? 1 : 0),
  }));
  const measured = measureAll([...cases, ...maskOnlyCases], corpus);
  const results = measured.slice(0, cases.length);
  const maskOnly = measured.slice(cases.length).map((m) => ({ tier: m.name, records_per_sec: m.recordsPerSec }));
  const baseline = results[0].recordsPerSec;
  const rows: (string | number)[][] = [["case", "records/s", "MB/s in", "vs baseline"]];
  for (const res of results) rows.push([res.name, res.recordsPerSec, res.mbPerSec, round(res.recordsPerSec / baseline, 2)]);
  console.log(
    `\nMasking engine, ${RECORDS} distinct records of ~${avgBytes} bytes, ${ROUNDS} x ${SECONDS}s per case, median ` +
      `(node ${process.version}, ${cpus().length} cpus, load ${loadBefore} -> ${round(loadavg()[0], 2)})\n`,
  );
  console.log(formatTable(rows));
  console.log("\nMask only (already parsed, not stringified):");
  console.log(formatTable([["tier", "records/s"], ...maskOnly.map((m) => [m.tier, m.records_per_sec])]));

  const file = await writeResults("masking", {
    node: process.version,
    cpus: cpus().length,
    // Other processes share the machine; ratios hold up under load better than absolute rates.
    load_average_1m_before: loadBefore,
    load_average_1m_after: round(loadavg()[0], 2),
    record_bytes_avg: avgBytes,
    contract_fields: fields.length,
    seconds_per_round: SECONDS,
    rounds: ROUNDS,
    baseline_records_per_sec: baseline,
    cases: results.map((res) => ({
      name: res.name,
      records_per_sec: res.recordsPerSec,
      mb_per_sec: res.mbPerSec,
      ratio_to_baseline: round(res.recordsPerSec / baseline, 3),
    })),
    mask_only: maskOnly,
    sink_checksum: sink % 1_000_003,
  });
  console.log(`\nwrote ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

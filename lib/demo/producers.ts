import type { Kafka, Message, TopicMessages } from "kafkajs";
import type { Db } from "@/db/client";
import { FLAVOURS } from "./flavours";
import { createDemoGenerator, DEFAULT_BAD_SHARE, hashSeed, type DemoGenerator } from "./generators";
import { listDemoProducts, type DemoProduct } from "./queries";

/**
 * Live demo traffic: every live product with a source topic gets a generator, its topic is
 * created when missing, and records are produced at a modest rate until `signal` aborts. The
 * product list is re-read every `refreshMs`, so a product published in the UI starts flowing
 * within that time and a new contract version switches its generator.
 *
 * Cost: one producer, one batch per tick for all products; at the default 3 records/s for 13
 * products that is a few dozen small records a second.
 */
export type DemoProducerOptions = {
  kafka: Kafka;
  db: Db;
  signal: AbortSignal;
  /** Records per second per product before the product's own rate factor (default 3). */
  ratePerProduct?: number;
  /** Share of intentionally bad records (default 0.02). */
  badShare?: number;
  log?: (message: string) => void;
  refreshMs?: number;
  tickMs?: number;
  /** Most products fed at once (flavoured demo products first). */
  maxProducts?: number;
  /** Partitions of a source topic created here. */
  partitions?: number;
  /** Mixed into every product's seed; a fixed value makes a run reproducible. */
  seed?: number;
  /** How often to log a throughput summary (default 60 s). */
  summaryMs?: number;
};

export type DemoProducerStats = { produced: number; bad: number; failedBatches: number; products: number };

type Feed = { product: DemoProduct; generator: DemoGenerator; carry: number };

export async function runDemoProducers(opts: DemoProducerOptions): Promise<DemoProducerStats> {
  const log = opts.log ?? (() => {});
  const rate = opts.ratePerProduct ?? 3;
  // One batch a second: the worker measured ~2.5% of a core (mostly kafkajs timers) at defaults.
  const tickMs = opts.tickMs ?? 1000;
  const refreshMs = opts.refreshMs ?? 30_000;
  const summaryMs = opts.summaryMs ?? 60_000;
  const partitions = opts.partitions ?? 3;
  const stats: DemoProducerStats = { produced: 0, bad: 0, failedBatches: 0, products: 0 };
  const feeds = new Map<string, Feed>();
  const skipped = new Set<string>();
  let window = { produced: 0, bad: 0 };

  const admin = opts.kafka.admin();
  const producer = opts.kafka.producer({ allowAutoTopicCreation: false });
  const connected = await connectWithRetry(async () => {
    await admin.connect();
    await producer.connect();
  }, opts.signal, log);
  if (!connected) {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    return stats;
  }

  async function refresh(): Promise<void> {
    let products: DemoProduct[];
    try {
      products = await listDemoProducts(opts.db, { limit: opts.maxProducts ?? 40, preferredSlugs: Object.keys(FLAVOURS) });
    } catch (err) {
      log(`cannot read products: ${message(err)}`);
      return;
    }
    // Creating an existing topic succeeds quietly here but makes kafkajs log an error; ask first.
    let existingTopics: Set<string>;
    try {
      existingTopics = new Set(await admin.listTopics());
    } catch (err) {
      log(`cannot list topics: ${message(err)}`);
      return;
    }
    const live = new Set(products.map((p) => p.id));
    for (const [id, feed] of feeds) {
      if (!live.has(id)) {
        feeds.delete(id);
        log(`stopped ${feed.product.slug} (no longer live)`);
      }
    }
    for (const p of products) {
      const existing = feeds.get(p.id);
      if (existing && existing.product.contractVersion === p.contractVersion && existing.product.sourceTopic === p.sourceTopic) continue;
      if (p.schemaFormat !== "json-schema") {
        if (!skipped.has(p.id)) log(`skipping ${p.slug}: ${p.schemaFormat} contracts have no demo generator`);
        skipped.add(p.id);
        continue;
      }
      try {
        if (!existingTopics.has(p.sourceTopic)) await admin.createTopics({ topics: [{ topic: p.sourceTopic, numPartitions: partitions }], waitForLeaders: true });
      } catch (err) {
        log(`cannot create ${p.sourceTopic} for ${p.slug}: ${message(err)} (retrying at the next refresh)`);
        continue;
      }
      const generator = createDemoGenerator({
        slug: p.slug,
        contract: { schema: p.schema, qualityRules: p.qualityRules },
        seed: (hashSeed(p.slug) ^ (opts.seed ?? Date.now())) >>> 0,
        badShare: opts.badShare ?? DEFAULT_BAD_SHARE,
      });
      feeds.set(p.id, { product: p, generator, carry: 0 });
      log(`${existing ? "switched" : "producing"} ${p.slug} -> ${p.sourceTopic} (contract ${p.contractVersion}, ${round1(rate * generator.rateFactor)} records/s)`);
    }
    stats.products = feeds.size;
  }

  async function tick(dtSeconds: number): Promise<void> {
    const now = new Date();
    const batches = new Map<string, Message[]>();
    let bad = 0;
    for (const feed of feeds.values()) {
      // Fractional rates accumulate, so 0.45 records/s still means about one every two seconds.
      feed.carry += rate * feed.generator.rateFactor * dtSeconds;
      const n = Math.min(Math.floor(feed.carry), 1000);
      feed.carry -= Math.floor(feed.carry);
      for (let i = 0; i < n; i++) {
        const m = feed.generator.next(now);
        if (m.bad) bad++;
        const list = batches.get(feed.product.sourceTopic) ?? [];
        list.push({ key: m.key, value: m.value, headers: m.headers, timestamp: String(now.getTime()) });
        batches.set(feed.product.sourceTopic, list);
      }
    }
    if (batches.size === 0) return;
    const topicMessages: TopicMessages[] = [...batches].map(([topic, messages]) => ({ topic, messages }));
    const count = topicMessages.reduce((s, t) => s + t.messages.length, 0);
    try {
      await producer.sendBatch({ topicMessages });
      stats.produced += count;
      stats.bad += bad;
      window.produced += count;
      window.bad += bad;
    } catch (err) {
      stats.failedBatches++;
      // Demo data is disposable: a lost batch is logged, not retried.
      if (stats.failedBatches <= 3 || stats.failedBatches % 100 === 0) log(`batch of ${count} records failed (${stats.failedBatches} so far): ${message(err)}`);
    }
  }

  try {
    await refresh();
    log(`feeding ${feeds.size} products at ${rate} records/s each (bad share ${opts.badShare ?? DEFAULT_BAD_SHARE})`);
    let last = Date.now();
    let lastRefresh = last;
    let lastSummary = last;
    while (!opts.signal.aborted) {
      await sleep(tickMs, opts.signal);
      if (opts.signal.aborted) break;
      const now = Date.now();
      // Capped so a stalled event loop or a laptop waking up does not produce a burst.
      await tick(Math.min(5, (now - last) / 1000));
      last = now;
      if (now - lastRefresh >= refreshMs) {
        lastRefresh = now;
        await refresh();
      }
      if (now - lastSummary >= summaryMs) {
        log(`${window.produced} records to ${feeds.size} topics in the last ${Math.round((now - lastSummary) / 1000)} s (${window.bad} bad)`);
        window = { produced: 0, bad: 0 };
        lastSummary = now;
      }
    }
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
  return stats;
}

/**
 * Kafka may be down or still starting: wait (false when aborted first) rather than throw, since
 * the launcher stops the whole dev stack when a worker dies, and demo data is not worth that.
 */
async function connectWithRetry(connect: () => Promise<void>, signal: AbortSignal, log: (m: string) => void): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await connect();
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      if (attempt === 1 || attempt % 12 === 0) log(`waiting for Kafka: ${message(err)}`);
      await sleep(Math.min(5_000, 250 * attempt), signal);
      if (signal.aborted) return false;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

import { parseArgs } from "node:util";
import { createDb } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { seedDemoWorld } from "@/db/seed/demo";
import { seedDemoUsage } from "@/db/seed/usage";
import { generateSyntheticProducts } from "@/db/seed/synthetic";
import { env } from "@/lib/env";
import { openDatabase, type LocalDatabase } from "@/lib/launcher/database";
import { canConnect } from "@/lib/launcher/ready";

/**
 * `npm run seed [-- --products N [--seed S]]`: migrates, seeds the demo world (idempotent) and
 * optionally N synthetic products. Uses DATABASE_URL when set. Otherwise it uses the embedded
 * database: the running one if `npm run dev` is up, else it starts it for the duration of the
 * command (same data directory and port as the launcher).
 */
const { values } = parseArgs({
  options: {
    products: { type: "string", default: "0" },
    seed: { type: "string", default: "1" },
  },
});
const count = Number(values.products);
const seed = Number(values.seed);
if (!Number.isInteger(count) || count < 0 || !Number.isInteger(seed)) {
  console.error("usage: npm run seed -- [--products N] [--seed S]   (N >= 0, S an integer)");
  process.exit(2);
}

const e = env();
const say = (line: string) => console.log(`[seed] ${line}`);
let local: LocalDatabase | undefined;
let url = e.databaseMigrationUrl;
if (e.databaseEmbedded && !(await canConnect("127.0.0.1", e.EMBEDDED_PG_PORT))) {
  local = await openDatabase(e, (line) => console.log(`[db] ${line}`));
  url = local.url;
} else {
  say(`using ${e.databaseEmbedded ? "the running embedded database" : "DATABASE_URL"} (${new URL(url).host})`);
}

let exitCode = 0;
const { sql, db } = createDb(url, 3);
try {
  await runMigrations(url);
  const result = await seedDemoWorld(db);
  say(result.seeded ? `demo world created: ${result.products} products, ${result.users} users` : "demo world already present");
  const usage = await seedDemoUsage(db, { months: 3 });
  if (usage.seeded) say(`demo usage history: ${usage.subscriptions} subscriptions, ${usage.ledgerRows} hourly rows`);
  if (count > 0) {
    const started = Date.now();
    let lastReport = 0;
    await generateSyntheticProducts(db, {
      count,
      seed,
      onProgress: (done, total) => {
        if (done === total || Date.now() - lastReport > 2_000) {
          lastReport = Date.now();
          say(`synthetic products: ${done}/${total}`);
        }
      },
    });
    say(`${count} synthetic products (seed ${seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s; existing slugs were skipped`);
  }
} catch (err) {
  console.error(`[seed] failed: ${err instanceof Error ? err.message : String(err)}`);
  exitCode = 1;
} finally {
  await sql.end({ timeout: 5 });
  await local?.stop();
}
process.exit(exitCode);

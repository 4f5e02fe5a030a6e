import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import { childEnv, env } from "@/lib/env";
import { freePort } from "@/lib/net/free-port";

/**
 * `npm test`: the unit and integration suite against a real PostgreSQL. With DATABASE_URL set it
 * uses that server; without, it starts a throwaway embedded PostgreSQL under .data/ and removes
 * it afterwards. Extra arguments go to vitest (`npm test -- lib/catalog`).
 */
const e = env();
let embedded: EmbeddedDatabase | undefined;
let databaseUrl = e.databaseUrl;
const testDir = path.join(e.DATA_DIR, "test-pg");
if (e.databaseEmbedded) {
  await rm(testDir, { recursive: true, force: true });
  const port = await freePort();
  console.log(`[test] starting embedded PostgreSQL on 127.0.0.1:${port}`);
  embedded = await startEmbeddedPostgres({ dir: testDir, port, database: "postgres" });
  databaseUrl = embedded.url;
} else {
  console.log(`[test] using DATABASE_URL (${new URL(databaseUrl).host})`);
}

const vitest = path.join("node_modules", "vitest", "vitest.mjs");
const child = spawn(process.execPath, [vitest, "run", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: childEnv({ DATABASE_URL: databaseUrl, NODE_ENV: "test" }),
});
const stop = (sig: NodeJS.Signals) => child.kill(sig);
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
const code: number = await new Promise((resolve) => child.on("exit", (c, s) => resolve(c ?? (s ? 1 : 0))));
if (embedded) {
  await embedded.stop();
  await rm(testDir, { recursive: true, force: true });
}
process.exit(code);

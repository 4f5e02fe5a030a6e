import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

/**
 * Resolves once something accepts TCP connections on host:port. Gives up after `timeoutMs`, or
 * as soon as `stillStarting()` says the process that should open the port has died.
 */
export async function waitForPort(opts: {
  port: number;
  /** Tried in turn; a server bound to "localhost" may listen on ::1 only. */
  hosts?: string[];
  timeoutMs: number;
  stillStarting?: () => boolean;
}): Promise<void> {
  const hosts = opts.hosts ?? ["127.0.0.1", "::1"];
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    for (const host of hosts) if (await canConnect(host, opts.port)) return;
    if (opts.stillStarting && !opts.stillStarting()) throw new Error(`gave up waiting for port ${opts.port}: the process exited`);
    if (Date.now() > deadline) throw new Error(`nothing listening on port ${opts.port} after ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * The session-signing secret for a local installation when AUTH_SECRET is unset: generated once
 * per data directory and kept in `<dataDir>/auth-secret` (mode 600), so sessions survive
 * restarts and `npm start` (production mode, which requires a secret) works with no setup. This
 * is fine for local use because the file sits next to the database it protects, readable only by
 * the same user; a real deployment sets AUTH_SECRET from its secret store instead.
 */
export async function ensureAuthSecret(dataDir: string): Promise<{ secret: string; created: boolean }> {
  return ensureSecretFile(dataDir, "auth-secret");
}

/**
 * A random 32-byte secret kept in `$DATA_DIR/<name>` (mode 600), created on first use: what the
 * launcher gives the app when AUTH_SECRET, MASKING_SECRET or ENCRYPTION_KEY is not set, so
 * `npm start` works on a fresh machine and keeps the same keys across restarts.
 */
export async function ensureSecretFile(dataDir: string, name: string): Promise<{ secret: string; created: boolean }> {
  const file = path.join(dataDir, name);
  try {
    const existing = (await readFile(file, "utf8")).trim();
    if (existing.length >= 32) {
      await chmod(file, 0o600);
      return { secret: existing, created: false };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  await mkdir(dataDir, { recursive: true });
  // base64url of 32 bytes: 43 characters, decodable by Buffer.from(x, "base64") as ENCRYPTION_KEY.
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { secret, created: true };
}

/** A fresh secret for one run (the embedded broker's admin password). */
export function generatePassword(): string {
  return randomBytes(24).toString("base64url");
}

import { createHash } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { readJson, writeJsonAtomic } from "./persist";
import {
  createScramCredential,
  SCRAM_MECHANISMS,
  verifyPasswordAgainstCredential,
  type ScramCredential,
  type ScramMechanism,
} from "./scram";

/**
 * SCRAM credentials per user and mechanism: salt, iterations, StoredKey, ServerKey. Never a
 * password. Persisted as one JSON file under the broker's data directory.
 */

const StoredCredentialSchema = z.object({
  salt: z.string(),
  iterations: z.number().int().positive(),
  storedKey: z.string(),
  serverKey: z.string(),
});
const FileSchema = z.object({
  version: z.literal(1),
  users: z.record(z.string(), z.partialRecord(z.enum(["SCRAM-SHA-256", "SCRAM-SHA-512"]), StoredCredentialSchema)),
});

export interface CredentialInfo {
  mechanism: ScramMechanism;
  iterations: number;
}

export type UserRemovedListener = (username: string) => void;

export class CredentialStore {
  private readonly users = new Map<string, Map<ScramMechanism, ScramCredential>>();
  /** PLAIN logins verified against the SCRAM store; PBKDF2 per connection would be the hot cost. */
  private readonly plainCache = new Map<string, boolean>();
  private readonly removedListeners: UserRemovedListener[] = [];
  private version = 0;

  /** `file` undefined keeps everything in memory (tests). */
  constructor(private readonly file?: string) {
    if (file) this.load(file);
  }

  static inDataDir(dataDir: string): CredentialStore {
    return new CredentialStore(path.join(dataDir, "security", "scram-credentials.json"));
  }

  private load(file: string): void {
    const raw = readJson(file);
    if (raw === undefined) return;
    const parsed = FileSchema.parse(raw);
    for (const [user, mechs] of Object.entries(parsed.users)) {
      const map = new Map<ScramMechanism, ScramCredential>();
      for (const mechanism of SCRAM_MECHANISMS) {
        const c = mechs[mechanism];
        if (!c) continue;
        map.set(mechanism, {
          salt: Buffer.from(c.salt, "base64"),
          iterations: c.iterations,
          storedKey: Buffer.from(c.storedKey, "base64"),
          serverKey: Buffer.from(c.serverKey, "base64"),
        });
      }
      if (map.size > 0) this.users.set(user, map);
    }
  }

  private persist(): void {
    this.version++;
    this.plainCache.clear();
    if (!this.file) return;
    const users: Record<string, Record<string, z.infer<typeof StoredCredentialSchema>>> = {};
    for (const [user, mechs] of this.users) {
      users[user] = {};
      for (const [mechanism, c] of mechs) {
        users[user][mechanism] = {
          salt: c.salt.toString("base64"),
          iterations: c.iterations,
          storedKey: c.storedKey.toString("base64"),
          serverKey: c.serverKey.toString("base64"),
        };
      }
    }
    writeJsonAtomic(this.file, { version: 1, users });
  }

  /** Called after a user loses its last credential, so the broker can cut its connections. */
  onUserRemoved(listener: UserRemovedListener): void {
    this.removedListeners.push(listener);
  }

  get(username: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.users.get(username)?.get(mechanism);
  }

  has(username: string): boolean {
    return this.users.has(username);
  }

  listUsers(): string[] {
    return [...this.users.keys()].sort();
  }

  describe(username: string): CredentialInfo[] | undefined {
    const mechs = this.users.get(username);
    if (!mechs) return undefined;
    return [...mechs].map(([mechanism, c]) => ({ mechanism, iterations: c.iterations }));
  }

  /** Applies a batch of changes with one write. */
  apply(changes: {
    upserts?: { username: string; mechanism: ScramMechanism; credential: ScramCredential }[];
    deletions?: { username: string; mechanism: ScramMechanism }[];
  }): void {
    const touched = new Set<string>();
    for (const d of changes.deletions ?? []) {
      this.users.get(d.username)?.delete(d.mechanism);
      touched.add(d.username);
    }
    for (const u of changes.upserts ?? []) {
      let mechs = this.users.get(u.username);
      if (!mechs) {
        mechs = new Map();
        this.users.set(u.username, mechs);
      }
      mechs.set(u.mechanism, u.credential);
    }
    const removed: string[] = [];
    for (const user of touched) {
      if (this.users.get(user)?.size === 0) {
        this.users.delete(user);
        removed.push(user);
      }
    }
    this.persist();
    for (const user of removed) for (const l of this.removedListeners) l(user);
  }

  upsert(username: string, mechanism: ScramMechanism, credential: ScramCredential): void {
    this.apply({ upserts: [{ username, mechanism, credential }] });
  }

  /** True when something was deleted. */
  delete(username: string, mechanism?: ScramMechanism): boolean {
    const mechs = this.users.get(username);
    if (!mechs) return false;
    const targets = mechanism ? (mechs.has(mechanism) ? [mechanism] : []) : [...mechs.keys()];
    if (targets.length === 0) return false;
    this.apply({ deletions: targets.map((m) => ({ username, mechanism: m })) });
    return true;
  }

  /** (Re)writes credentials for every SCRAM mechanism from a password (used for the admin user at start). */
  async setPassword(username: string, password: string, iterations = 4096): Promise<void> {
    const upserts = await Promise.all(
      SCRAM_MECHANISMS.map(async (mechanism) => ({
        username,
        mechanism,
        credential: await createScramCredential(mechanism, password, { iterations }),
      })),
    );
    this.apply({ upserts });
  }

  /**
   * SASL/PLAIN against the SCRAM store: the password must derive the StoredKey of one of the
   * user's mechanisms. Successful and failed checks are cached per (user, password digest) until
   * the store changes.
   */
  async verifyPlain(username: string, password: string): Promise<boolean> {
    const mechs = this.users.get(username);
    if (!mechs) return false;
    const key = `${username}\0${createHash("sha256").update(password).digest("base64")}`;
    const cached = this.plainCache.get(key);
    if (cached !== undefined) return cached;
    const startVersion = this.version;
    let ok = false;
    for (const [mechanism, credential] of mechs) {
      if (await verifyPasswordAgainstCredential(mechanism, password, credential)) {
        ok = true;
        break;
      }
    }
    // Only cache if the user's credentials were not replaced while PBKDF2 ran.
    if (this.version === startVersion) this.plainCache.set(key, ok);
    if (this.plainCache.size > 10_000) this.plainCache.clear();
    return ok;
  }
}

import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@/lib/net/free-port";
import { ensureAuthSecret, ensureSecretFile, waitForPort } from "./ready";

const dir = await mkdtemp(path.join(tmpdir(), "trib-launcher-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("ensureAuthSecret", () => {
  it("creates a private secret once and returns the same one afterwards", async () => {
    const first = await ensureAuthSecret(path.join(dir, "data"));
    expect(first.created).toBe(true);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    const mode = (await stat(path.join(dir, "data", "auth-secret"))).mode & 0o777;
    expect(mode).toBe(0o600);
    const second = await ensureAuthSecret(path.join(dir, "data"));
    expect(second).toEqual({ secret: first.secret, created: false });
  });

  it("replaces a file too short to be a secret", async () => {
    await writeFile(path.join(dir, "auth-secret"), "short\n");
    const s = await ensureAuthSecret(dir);
    expect(s.created).toBe(true);
    expect(s.secret).not.toBe("short");
  });
});

describe("waitForPort", () => {
  it("resolves once a server listens and fails fast when the starter died", async () => {
    const port = await freePort();
    const srv = net.createServer();
    setTimeout(() => srv.listen(port, "127.0.0.1"), 300);
    await waitForPort({ port, timeoutMs: 5_000 });
    srv.close();
    const other = await freePort();
    await expect(waitForPort({ port: other, timeoutMs: 5_000, stillStarting: () => false })).rejects.toThrow(/exited/);
    await expect(waitForPort({ port: other, timeoutMs: 300 })).rejects.toThrow(/nothing listening/);
  });
});

describe("ensureSecretFile", () => {
  it("creates a 32-byte key usable as ENCRYPTION_KEY once, then returns the same one", async () => {
    const sub = path.join(dir, "secrets");
    {
      const first = await ensureSecretFile(sub, "encryption-key");
      expect(first.created).toBe(true);
      expect(Buffer.from(first.secret, "base64")).toHaveLength(32);
      const again = await ensureSecretFile(sub, "encryption-key");
      expect(again).toEqual({ secret: first.secret, created: false });
      expect((await ensureSecretFile(sub, "masking-secret")).secret).not.toBe(first.secret);
    }
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CredentialStore } from "./credentials";
import { createScramCredential, ScramClientSession, ScramServerSession } from "./scram";

describe("CredentialStore", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cred-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("persists salted material only, and a reloaded store authenticates the same password", async () => {
    const store = CredentialStore.inDataDir(dir);
    await store.setPassword("alice", "correct horse", 4096);
    expect(store.describe("alice")).toEqual([
      { mechanism: "SCRAM-SHA-256", iterations: 4096 },
      { mechanism: "SCRAM-SHA-512", iterations: 4096 },
    ]);
    const text = readFileSync(path.join(dir, "security", "scram-credentials.json"), "utf8");
    expect(text).not.toContain("correct horse");
    expect(readdirSync(path.join(dir, "security")).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    const reloaded = CredentialStore.inDataDir(dir);
    const client = new ScramClientSession("SCRAM-SHA-512", "alice", "correct horse");
    const server = new ScramServerSession("SCRAM-SHA-512", (u, m) => reloaded.get(u, m));
    const sf = server.handleClientFirst(client.clientFirst());
    const { serverFinal } = server.handleClientFinal(await client.handleServerFirst(sf));
    client.verifyServerFinal(serverFinal);
  });

  it("verifies PLAIN passwords against the SCRAM store, and forgets cached results on change", async () => {
    const store = new CredentialStore();
    store.upsert("bob", "SCRAM-SHA-256", await createScramCredential("SCRAM-SHA-256", "pw1"));
    expect(await store.verifyPlain("bob", "pw1")).toBe(true);
    expect(await store.verifyPlain("bob", "pw2")).toBe(false);
    expect(await store.verifyPlain("nobody", "pw1")).toBe(false);
    store.upsert("bob", "SCRAM-SHA-256", await createScramCredential("SCRAM-SHA-256", "pw2"));
    expect(await store.verifyPlain("bob", "pw1")).toBe(false);
    expect(await store.verifyPlain("bob", "pw2")).toBe(true);
  });

  it("notifies when a user loses its last credential, not before", async () => {
    const store = new CredentialStore();
    const removed: string[] = [];
    store.onUserRemoved((u) => removed.push(u));
    await store.setPassword("carol", "pw");
    expect(store.delete("carol", "SCRAM-SHA-256")).toBe(true);
    expect(removed).toEqual([]);
    expect(store.has("carol")).toBe(true);
    expect(store.delete("carol", "SCRAM-SHA-256")).toBe(false);
    expect(store.delete("carol")).toBe(true);
    expect(removed).toEqual(["carol"]);
    expect(store.has("carol")).toBe(false);
    expect(store.describe("carol")).toBeUndefined();
  });
});

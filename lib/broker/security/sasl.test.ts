import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { ScramAdminClient } from "@/lib/kafka/scram-admin";
import { securityBrokerOptions, securityStateOf } from ".";
import { encodePlain, ScramClientSession } from "./scram";

const ADMIN_PASSWORD = "admin-secret";

let broker: RunningBroker;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "broker-sasl-"));
  broker = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions(ADMIN_PASSWORD) });
});

afterAll(async () => {
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

type Mech = "plain" | "scram-sha-256" | "scram-sha-512";

function kafka(mechanism: Mech, username: string, password: string): Kafka {
  return new Kafka({
    clientId: "sasl-test",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    sasl: { mechanism, username, password } as never,
  });
}

async function connectAdmin(mechanism: Mech, username: string, password: string) {
  const admin = kafka(mechanism, username, password).admin();
  await admin.connect();
  return admin;
}

function principals(): string[] {
  return broker.listConnections().map((c) => c.principal);
}

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("SASL with kafkajs", () => {
  for (const mechanism of ["plain", "scram-sha-256", "scram-sha-512"] as Mech[]) {
    it(`${mechanism}: the admin authenticates; wrong password and unknown user are rejected`, async () => {
      const admin = await connectAdmin(mechanism, "admin", ADMIN_PASSWORD);
      await waitFor(() => principals().includes("User:admin"));
      await admin.disconnect();

      const label = mechanism === "plain" ? "PLAIN" : mechanism.toUpperCase().replace(/-/g, " ").replace("SCRAM SHA ", "SCRAM SHA");
      await expect(connectAdmin(mechanism, "admin", "wrong")).rejects.toThrow(
        new RegExp(`SASL ${label} authentication failed`),
      );
      await expect(connectAdmin(mechanism, "nobody", ADMIN_PASSWORD)).rejects.toThrow(/authentication failed/);
    });
  }

  it("refuses every other API before authentication and closes that connection", async () => {
    const socket = net.connect({ host: "127.0.0.1", port: broker.port });
    await new Promise((r) => socket.once("connect", r));
    const closed = new Promise((r) => socket.once("close", r));
    // Metadata v1 request with no topics, unauthenticated.
    const body = Buffer.from([0, 3, 0, 1, 0, 0, 0, 7, 0, 1, 0x78, 0xff, 0xff, 0xff, 0xff]);
    const frame = Buffer.alloc(4 + body.length);
    frame.writeInt32BE(body.length, 0);
    body.copy(frame, 4);
    socket.write(frame);
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});

/** Raw Kafka framing helpers for the legacy path. */
function frameOf(payload: Buffer): Buffer {
  const out = Buffer.alloc(4 + payload.length);
  out.writeInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}

function saslHandshakeV0(mechanism: string): Buffer {
  const m = Buffer.from(mechanism);
  const header = Buffer.alloc(8 + 2 + 2 + m.length);
  header.writeInt16BE(17, 0);
  header.writeInt16BE(0, 2);
  header.writeInt32BE(1, 4);
  header.writeInt16BE(-1, 8);
  header.writeInt16BE(m.length, 10);
  m.copy(header, 12);
  return frameOf(header);
}

function apiVersionsV0(correlationId: number): Buffer {
  const b = Buffer.alloc(10);
  b.writeInt16BE(18, 0);
  b.writeInt16BE(0, 2);
  b.writeInt32BE(correlationId, 4);
  b.writeInt16BE(-1, 8);
  return frameOf(b);
}

class FrameReader {
  private buf = Buffer.alloc(0);
  private waiters: ((f: Buffer) => void)[] = [];
  private frames: Buffer[] = [];
  constructor(socket: net.Socket) {
    socket.on("data", (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const n = this.buf.readInt32BE(0);
        const f = this.buf.subarray(4, 4 + n);
        this.buf = this.buf.subarray(4 + n);
        const w = this.waiters.shift();
        if (w) w(f);
        else this.frames.push(f);
      }
    });
  }
  next(): Promise<Buffer> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    return new Promise((r) => this.waiters.push(r));
  }
}

describe("legacy SaslHandshake v0 (raw SASL tokens)", () => {
  async function open() {
    const socket = net.connect({ host: "127.0.0.1", port: broker.port });
    await new Promise((r) => socket.once("connect", r));
    return { socket, reader: new FrameReader(socket) };
  }

  it("authenticates SCRAM-SHA-512 with raw tokens, then serves Kafka requests", async () => {
    const { socket, reader } = await open();
    socket.write(saslHandshakeV0("SCRAM-SHA-512"));
    const hs = await reader.next();
    expect(hs.readInt32BE(0)).toBe(1);
    expect(hs.readInt16BE(4)).toBe(0);

    const client = new ScramClientSession("SCRAM-SHA-512", "admin", ADMIN_PASSWORD);
    socket.write(frameOf(Buffer.from(client.clientFirst())));
    const serverFirst = await reader.next();
    socket.write(frameOf(Buffer.from(await client.handleServerFirst(serverFirst))));
    const serverFinal = await reader.next();
    client.verifyServerFinal(serverFinal);

    socket.write(apiVersionsV0(42));
    const av = await reader.next();
    expect(av.readInt32BE(0)).toBe(42);
    expect(av.readInt16BE(4)).toBe(0);
    socket.destroy();
  });

  it("refuses a SCRAM exchange whose user is deleted between the first and the final message", async () => {
    const state = securityStateOf(broker.server)!;
    const admin = await ScramAdminClient.connect({ connection: { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } } });
    try {
      await admin.upsertUser("dora", "dora-pw", "SCRAM-SHA-512");
      await waitFor(() => state.credentials.has("dora"));
      const { socket, reader } = await open();
      socket.write(saslHandshakeV0("SCRAM-SHA-512"));
      await reader.next();
      const client = new ScramClientSession("SCRAM-SHA-512", "dora", "dora-pw");
      socket.write(frameOf(Buffer.from(client.clientFirst())));
      const serverFirst = await reader.next();
      await admin.deleteUser("dora");
      const closed = new Promise<void>((r) => socket.once("close", () => r()));
      socket.write(frameOf(Buffer.from(await client.handleServerFirst(serverFirst))));
      await closed;
      expect(principals()).not.toContain("User:dora");
    } finally {
      admin.close();
    }
  });

  it("PLAIN with a wrong password closes the connection", async () => {
    const { socket, reader } = await open();
    socket.write(saslHandshakeV0("PLAIN"));
    await reader.next();
    const closed = new Promise((r) => socket.once("close", r));
    socket.write(frameOf(encodePlain("admin", "nope")));
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it("answers an unknown mechanism with UNSUPPORTED_SASL_MECHANISM and the enabled list", async () => {
    const { socket, reader } = await open();
    socket.write(saslHandshakeV0("GSSAPI"));
    const hs = await reader.next();
    expect(hs.readInt16BE(4)).toBe(33);
    expect(hs.subarray(6).toString()).toContain("SCRAM-SHA-512");
    socket.destroy();
  });
});

function saslHandshakeV1(mechanism: string, correlationId: number): Buffer {
  const frame = saslHandshakeV0(mechanism);
  frame.writeInt16BE(1, 6);
  frame.writeInt32BE(correlationId, 8);
  return frame;
}

function saslAuthenticateV1(token: Buffer, correlationId: number): Buffer {
  const b = Buffer.alloc(10 + 4 + token.length);
  b.writeInt16BE(36, 0);
  b.writeInt16BE(1, 2);
  b.writeInt32BE(correlationId, 4);
  b.writeInt16BE(-1, 8);
  b.writeInt32BE(token.length, 10);
  token.copy(b, 14);
  return frameOf(b);
}

describe("garbage SASL tokens", () => {
  it("answers SASL_AUTHENTICATION_FAILED and closes, for a seeded batch of random tokens, and keeps serving others", async () => {
    let seed = 0x5eed;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const mechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];
    for (let i = 0; i < 30; i++) {
      const token = Buffer.alloc(random() % 200);
      for (let j = 0; j < token.length; j++) token[j] = random() & 0xff;
      const socket = net.connect({ host: "127.0.0.1", port: broker.port });
      await new Promise((r) => socket.once("connect", r));
      const reader = new FrameReader(socket);
      const closed = new Promise((r) => socket.once("close", r));
      socket.write(saslHandshakeV1(mechanisms[i % 3], 1));
      expect((await reader.next()).readInt16BE(4)).toBe(0);
      socket.write(saslAuthenticateV1(token, 2));
      const res = await reader.next();
      expect(res.readInt32BE(0)).toBe(2);
      expect(res.readInt16BE(4)).toBe(58);
      await closed;
    }
    const admin = await connectAdmin("scram-sha-512", "admin", ADMIN_PASSWORD);
    await admin.disconnect();
  });
});

describe("SCRAM admin client against the broker", () => {
  const connection = (username: string, password: string) => ({
    brokers: [broker.bootstrap],
    sasl: { mechanism: "scram-sha-512" as const, username, password },
  });

  it("creates, describes and deletes users; a deleted user's connections are cut off", async () => {
    const admin = await ScramAdminClient.connect({ connection: connection("admin", ADMIN_PASSWORD) });
    try {
      await admin.upsertUser("bob", "bob-pw", "SCRAM-SHA-512");
      await admin.upsertUser("bob", "bob-pw", "SCRAM-SHA-256", 8192);
      const [bob] = await admin.describe(["bob"]);
      expect(bob.errorCode).toBe(0);
      expect(bob.credentials.sort((a, b) => a.mechanism.localeCompare(b.mechanism))).toEqual([
        { mechanism: "SCRAM-SHA-256", iterations: 8192 },
        { mechanism: "SCRAM-SHA-512", iterations: 4096 },
      ]);
      const all = await admin.describe();
      expect(all.map((u) => u.user).sort()).toEqual(["admin", "bob"]);
      const [missing] = await admin.describe(["carol"]);
      expect(missing.errorCode).toBe(91);

      // The password never reached the broker: only salted material is stored.
      const stored = securityStateOf(broker.server)!.credentials.get("bob", "SCRAM-SHA-512")!;
      expect(stored.iterations).toBe(4096);

      const bobAdmin = await connectAdmin("scram-sha-256", "bob", "bob-pw");
      const plainBob = await connectAdmin("plain", "bob", "bob-pw");
      await waitFor(() => principals().filter((p) => p === "User:bob").length >= 2);

      expect(await admin.deleteUser("bob")).toHaveLength(2);
      await waitFor(() => !principals().includes("User:bob"), 5000);
      expect(await admin.deleteUser("bob")).toEqual([]);
      await expect(connectAdmin("scram-sha-512", "bob", "bob-pw")).rejects.toThrow(/authentication failed/);
      await bobAdmin.disconnect().catch(() => {});
      await plainBob.disconnect().catch(() => {});
    } finally {
      admin.close();
    }
  });

  it("validates iterations, mechanisms and duplicates like Kafka", async () => {
    const admin = await ScramAdminClient.connect({ connection: connection("admin", ADMIN_PASSWORD) });
    try {
      const res = await admin.alter({
        upsertions: [
          { user: "few", mechanism: "SCRAM-SHA-256", password: "x", iterations: 1000 },
          { user: "many", mechanism: "SCRAM-SHA-256", password: "x", iterations: 20000 },
          { user: "dup", mechanism: "SCRAM-SHA-256", password: "x" },
        ],
        deletions: [
          { user: "dup", mechanism: "SCRAM-SHA-256" },
          { user: "ghost", mechanism: "SCRAM-SHA-512" },
        ],
      });
      const byUser = Object.fromEntries(res.map((r) => [r.user, r.errorCode]));
      expect(byUser).toEqual({ few: 93, many: 93, dup: 92, ghost: 91 });
      const described = await admin.describe(["few", "dup"]);
      expect(described.map((d) => d.errorCode)).toEqual([91, 91]);
    } finally {
      admin.close();
    }
  });

  it("a non-super user gets CLUSTER_AUTHORIZATION_FAILED for the SCRAM APIs", async () => {
    const admin = await ScramAdminClient.connect({ connection: connection("admin", ADMIN_PASSWORD) });
    await admin.upsertUser("eve", "eve-pw", "SCRAM-SHA-512");
    admin.close();
    const eve = await ScramAdminClient.connect({ connection: connection("eve", "eve-pw") });
    try {
      await expect(eve.describe()).rejects.toThrow(/Cluster authorization failed/);
      const [r] = await eve.alter({ upsertions: [{ user: "eve", mechanism: "SCRAM-SHA-256", password: "p" }] });
      expect(r.errorCode).toBe(31);
    } finally {
      eve.close();
    }
  });

  it("wrong credentials fail the admin client's own SASL exchange", async () => {
    await expect(ScramAdminClient.connect({ connection: connection("admin", "bad") })).rejects.toThrow(
      /SASL SCRAM-SHA-512 authentication failed/,
    );
  });
});

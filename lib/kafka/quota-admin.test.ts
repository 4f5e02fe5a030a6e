import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { AlterClientQuotas, DescribeClientQuotas } from "@/lib/broker/protocol/apis/client-quotas";
import { Writer } from "@/lib/broker/protocol/primitives";
import { compile } from "@/lib/broker/protocol/schema";
import type { BrokerServer } from "@/lib/broker/server";
import { QuotaAdminClient } from "./quota-admin";

/**
 * The client is exercised against (a) a broker with APIs 48/49 removed, standing in for a cluster
 * without quota support, which must refuse cleanly, and (b) a broker extended in this test with a
 * minimal in-memory implementation of APIs 48/49, which checks the client's encoding, version
 * choice (flexible v1) and decoding end to end. The wire layout itself is pinned by
 * hand-assembled bytes. The embedded broker's own implementation is tested in
 * lib/broker/quotas.test.ts.
 */

function encode(value: Record<string, unknown>, version: number): Buffer {
  const w = new Writer(8);
  compile(DescribeClientQuotas.request, version).encode(w, value);
  return w.toBuffer();
}

describe("client quota schemas", () => {
  it("DescribeClientQuotas request v0 and v1 bytes", () => {
    const value = { components: [{ entityType: "user", matchType: 0, match: "al" }], strict: true };
    expect(encode(value, 0)).toEqual(
      Buffer.from([0, 0, 0, 1, 0, 4, ...Buffer.from("user"), 0, 0, 2, ...Buffer.from("al"), 1]),
    );
    expect(encode(value, 1)).toEqual(Buffer.from([2, 5, ...Buffer.from("user"), 0, 3, ...Buffer.from("al"), 0, 1, 0]));
  });
});

type Key = string;
function quotaPlugin(server: BrokerServer): void {
  const store = new Map<Key, { entity: { entityType: string; entityName: string | null }[]; values: Map<string, number> }>();
  server.registerHandler(AlterClientQuotas, (_ctx, body) => {
    const entries = body.entries as { entity: { entityType: string; entityName: string | null }[]; ops: { key: string; value: number; remove: boolean }[] }[];
    for (const e of entries) {
      const key = JSON.stringify(e.entity);
      const cur = store.get(key) ?? { entity: e.entity, values: new Map() };
      for (const op of e.ops) {
        if (op.remove) cur.values.delete(op.key);
        else cur.values.set(op.key, op.value);
      }
      store.set(key, cur);
    }
    return { throttleTimeMs: 0, entries: entries.map((e) => ({ errorCode: 0, errorMessage: null, entity: e.entity })) };
  });
  server.registerHandler(DescribeClientQuotas, (_ctx, body) => {
    const components = body.components as { entityType: string; matchType: number; match: string | null }[];
    const matches = (entity: { entityType: string; entityName: string | null }[]) =>
      components.every((c) => {
        const e = entity.find((x) => x.entityType === c.entityType);
        if (!e) return false;
        if (c.matchType === 0) return e.entityName === c.match;
        if (c.matchType === 1) return e.entityName === null;
        return e.entityName !== null;
      });
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      entries: [...store.values()]
        .filter((s) => s.values.size > 0 && matches(s.entity))
        .map((s) => ({ entity: s.entity, values: [...s.values].map(([key, value]) => ({ key, value })) })),
    };
  });
}

describe("QuotaAdminClient", () => {
  let plain: RunningBroker;
  let withQuotas: RunningBroker;
  let dirs: string[];

  beforeAll(async () => {
    dirs = [mkdtempSync(path.join(tmpdir(), "quota-a-")), mkdtempSync(path.join(tmpdir(), "quota-b-"))];
    const withoutQuotas = (server: BrokerServer) => {
      server.handlers.delete(DescribeClientQuotas.apiKey);
      server.handlers.delete(AlterClientQuotas.apiKey);
    };
    plain = await startBroker({ dataDir: dirs[0], port: 0, log: silentLogger, plugins: [withoutQuotas] });
    withQuotas = await startBroker({ dataDir: dirs[1], port: 0, log: silentLogger, plugins: [quotaPlugin] });
  });

  afterAll(async () => {
    await plain?.close();
    await withQuotas?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("refuses clearly when the cluster does not support quotas", async () => {
    const client = await QuotaAdminClient.connect({ connection: { brokers: [plain.bootstrap] } });
    try {
      await expect(client.describe({ user: "x" })).rejects.toThrow(/does not support DescribeClientQuotas/);
    } finally {
      client.close();
    }
  });

  it("sets, describes and removes a user's quotas", async () => {
    const client = await QuotaAdminClient.connect({ connection: { brokers: [withQuotas.bootstrap] } });
    try {
      await client.alter([{ entity: { user: "sub-1" }, set: { consumer_byte_rate: 1048576, producer_byte_rate: 0.5 } }]);
      await client.alter([{ entity: { user: null }, set: { consumer_byte_rate: 10 } }]);
      expect(await client.describe({ user: "sub-1" })).toEqual([
        { entity: { user: "sub-1" }, values: { consumer_byte_rate: 1048576, producer_byte_rate: 0.5 } },
      ]);
      expect(await client.describe({ user: null })).toEqual([{ entity: { user: null }, values: { consumer_byte_rate: 10 } }]);
      await client.alter([{ entity: { user: "sub-1" }, set: { producer_byte_rate: null } }]);
      expect(await client.describe({ user: "*" })).toEqual([{ entity: { user: "sub-1" }, values: { consumer_byte_rate: 1048576 } }]);
    } finally {
      client.close();
    }
  });
});

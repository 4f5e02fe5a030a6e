import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { ApiVersions, Metadata } from "./protocol/apis";
import { writeRequestHeader } from "./protocol/headers";
import { Reader, Writer } from "./protocol/primitives";
import { compile, isFlexible, type ApiSchema } from "./protocol/schema";
import { startTestBroker } from "./test-helpers";

// No security plugin: SASL is required but nobody can authenticate, which isolates the gate.
const broker = await startTestBroker({ requireSasl: true });
afterAll(() => broker.cleanup());

function frame(schema: ApiSchema, version: number, body: Record<string, unknown>, correlationId: number): Buffer {
  const w = new Writer(64);
  w.int32(0);
  writeRequestHeader(w, { apiKey: schema.apiKey, apiVersion: version, correlationId, clientId: "t" }, isFlexible(schema.request, version));
  compile(schema.request, version).encode(w, body);
  const b = w.toBuffer();
  b.writeInt32BE(b.length - 4, 0);
  return b;
}

function exchange(bytes: Buffer, ms = 1_000): Promise<{ closed: boolean; data: Buffer }> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "localhost", port: broker.port });
    const chunks: Buffer[] = [];
    const finish = (closed: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve({ closed, data: Buffer.concat(chunks) });
    };
    const t = setTimeout(() => finish(false), ms);
    s.on("data", (d) => chunks.push(d));
    s.on("close", () => finish(true));
    s.on("connect", () => s.write(bytes));
  });
}

describe("server", () => {
  it("answers pipelined requests in request order, ApiVersions v3 with a v0 response header", async () => {
    const bytes = Buffer.concat([frame(ApiVersions, 3, { clientSoftwareName: "t", clientSoftwareVersion: "1" }, 7), frame(ApiVersions, 0, {}, 8)]);
    const { data } = await exchange(bytes, 500);
    const r = new Reader(data);
    const size1 = r.int32();
    expect(r.int32()).toBe(7);
    // v0 response header: the body (error code 0) follows the correlation id directly.
    expect(r.int16()).toBe(0);
    r.pos = 4 + size1;
    r.int32();
    expect(r.int32()).toBe(8);
  });

  it("with requireSasl, refuses anything but ApiVersions/SaslHandshake/SaslAuthenticate before authentication", async () => {
    const md = await exchange(frame(Metadata, 6, { topics: null, allowAutoTopicCreation: false }, 1));
    expect(md.closed).toBe(true);
    expect(md.data.length).toBe(0);
    expect(broker.listConnections()).toHaveLength(0);
  });

  it("lists live connections by principal and closes them on demand", async () => {
    const s = net.connect({ host: "127.0.0.1", port: broker.port });
    await new Promise((r) => s.on("connect", r));
    const closed = new Promise((r) => s.on("close", r));
    await new Promise((r) => setTimeout(r, 50));
    expect(broker.listConnections().map((c) => c.principal)).toEqual(["User:ANONYMOUS"]);
    expect(broker.closeConnections("User:someone-else")).toBe(0);
    expect(broker.closeConnections("User:ANONYMOUS")).toBe(1);
    await closed;
  });
});

import net from "node:net";
import tls from "node:tls";
import { ApiVersions } from "@/lib/broker/protocol/apis/api-versions";
import { SaslAuthenticate, SaslHandshake } from "@/lib/broker/protocol/apis/sasl";
import { responseHeaderIsV1, writeRequestHeader } from "@/lib/broker/protocol/headers";
import { Reader, Writer } from "@/lib/broker/protocol/primitives";
import { compile, isFlexible, type ApiSchema } from "@/lib/broker/protocol/schema";
import { encodePlain, ScramClientSession } from "@/lib/broker/security/scram";
import type { KafkaConnectionOptions } from "./client";

/**
 * A minimal Kafka-protocol connection for the requests kafkajs cannot send (SCRAM credential
 * APIs, later client quotas). It reuses the broker's declarative schemas, negotiates versions
 * with ApiVersions v0 (understood by every Kafka since 0.10), and authenticates with SASL
 * Handshake v1 + SaslAuthenticate exactly like kafkajs, so it works against the embedded broker
 * and Apache Kafka >= 2.7 alike.
 */

export class KafkaWireError extends Error {
  constructor(
    message: string,
    readonly errorCode?: number,
  ) {
    super(message);
    this.name = "KafkaWireError";
  }
}

export function parseBrokerAddress(address: string): { host: string; port: number } {
  const m = /^\[(.+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (!m) throw new KafkaWireError(`Invalid broker address ${address}`);
  return { host: m[1], port: Number(m[2]) };
}

interface Pending {
  resolve: (frame: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export interface WireConnectionOptions {
  connection: KafkaConnectionOptions;
  clientId?: string;
  timeoutMs?: number;
}

export class WireConnection {
  private readonly pending = new Map<number, Pending>();
  private inbound: Buffer = Buffer.alloc(0);
  private nextCorrelationId = 1;
  private closedError: Error | null = null;
  /** apiKey -> [min, max] advertised by the broker. */
  versions = new Map<number, [number, number]>();

  private constructor(
    private readonly socket: net.Socket,
    private readonly clientId: string,
    private readonly timeoutMs: number,
  ) {
    socket.on("data", (d) => this.onData(d));
    const fail = (err: Error) => this.failAll(err);
    socket.on("error", fail);
    socket.on("close", () => fail(new KafkaWireError("Connection closed by the broker")));
  }

  /** Connects to the first reachable bootstrap broker, negotiates versions and authenticates. */
  static async open(opts: WireConnectionOptions): Promise<WireConnection> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    let lastError: unknown = new KafkaWireError("No brokers given");
    for (const address of opts.connection.brokers) {
      let socket: net.Socket;
      try {
        socket = await connectSocket(address, opts.connection.ssl ?? false, timeoutMs, opts.connection.tlsCa);
      } catch (err) {
        lastError = err;
        continue;
      }
      const conn = new WireConnection(socket, opts.clientId ?? "tributary-admin", timeoutMs);
      try {
        await conn.negotiate();
        if (opts.connection.sasl) await conn.authenticate(opts.connection.sasl);
        return conn;
      } catch (err) {
        conn.close();
        // An authentication failure will fail on every broker the same way.
        throw err;
      }
    }
    throw lastError;
  }

  private async negotiate(): Promise<void> {
    const res = await this.send(ApiVersions, 0, {});
    if (res.errorCode !== 0) throw new KafkaWireError(`ApiVersions failed with error ${res.errorCode}`, res.errorCode as number);
    for (const k of res.apiKeys as { apiKey: number; minVersion: number; maxVersion: number }[]) {
      this.versions.set(k.apiKey, [k.minVersion, k.maxVersion]);
    }
  }

  /** Highest version both sides speak, or an error naming the API. */
  pickVersion(schema: ApiSchema, ours: [number, number]): number {
    const theirs = this.versions.get(schema.apiKey);
    if (!theirs) throw new KafkaWireError(`The broker does not support ${schema.name} (API key ${schema.apiKey})`);
    const v = Math.min(ours[1], theirs[1]);
    if (v < Math.max(ours[0], theirs[0])) {
      throw new KafkaWireError(`No common version of ${schema.name}: broker ${theirs.join("-")}, client ${ours.join("-")}`);
    }
    return v;
  }

  private async authenticate(sasl: NonNullable<KafkaConnectionOptions["sasl"]>): Promise<void> {
    const mechanism = sasl.mechanism.toUpperCase();
    const hs = await this.send(SaslHandshake, 1, { mechanism });
    if (hs.errorCode !== 0) {
      throw new KafkaWireError(`SASL mechanism ${mechanism} not enabled by the broker (error ${hs.errorCode})`, hs.errorCode as number);
    }
    const v = this.pickVersion(SaslAuthenticate, [0, 1]);
    const exchange = async (token: Buffer): Promise<Buffer> => {
      const res = await this.send(SaslAuthenticate, v, { authBytes: token });
      if (res.errorCode !== 0) {
        throw new KafkaWireError(
          `SASL ${mechanism} authentication failed: ${String(res.errorMessage ?? res.errorCode)}`,
          res.errorCode as number,
        );
      }
      return res.authBytes as Buffer;
    };
    if (sasl.mechanism === "plain") {
      await exchange(encodePlain(sasl.username, sasl.password));
      return;
    }
    const scram = new ScramClientSession(
      sasl.mechanism === "scram-sha-256" ? "SCRAM-SHA-256" : "SCRAM-SHA-512",
      sasl.username,
      sasl.password,
    );
    const serverFirst = await exchange(Buffer.from(scram.clientFirst()));
    const serverFinal = await exchange(Buffer.from(await scram.handleServerFirst(serverFirst)));
    scram.verifyServerFinal(serverFinal);
  }

  /** Sends one request and decodes its response. */
  async send(schema: ApiSchema, version: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.closedError) throw this.closedError;
    const correlationId = this.nextCorrelationId++;
    const flexible = isFlexible(schema.request, version);
    const w = new Writer(256);
    w.int32(0);
    writeRequestHeader(w, { apiKey: schema.apiKey, apiVersion: version, correlationId, clientId: this.clientId }, flexible);
    compile(schema.request, version).encode(w, body);
    const frame = w.toBuffer();
    frame.writeInt32BE(frame.length - 4, 0);
    const response = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new KafkaWireError(`${schema.name} timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(correlationId, { resolve, reject, timer });
      this.socket.write(frame);
    });
    const r = new Reader(response, 4);
    if (responseHeaderIsV1(schema.apiKey, isFlexible(schema.response, version))) {
      const n = r.uvarint();
      for (let i = 0; i < n; i++) {
        r.uvarint();
        r.raw(r.uvarint());
      }
    }
    return compile(schema.response, version).decode(r);
  }

  private onData(d: Buffer): void {
    this.inbound = this.inbound.length === 0 ? d : Buffer.concat([this.inbound, d]);
    while (this.inbound.length >= 4) {
      const size = this.inbound.readInt32BE(0);
      if (size < 4 || size > 64 * 1024 * 1024) {
        this.failAll(new KafkaWireError(`Invalid response frame size ${size}`));
        this.socket.destroy();
        return;
      }
      if (this.inbound.length < size + 4) return;
      const frame = this.inbound.subarray(4, size + 4);
      this.inbound = this.inbound.subarray(size + 4);
      const correlationId = frame.readInt32BE(0);
      const p = this.pending.get(correlationId);
      if (!p) continue;
      this.pending.delete(correlationId);
      clearTimeout(p.timer);
      p.resolve(frame);
    }
  }

  private failAll(err: Error): void {
    this.closedError ??= err;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  close(): void {
    this.failAll(new KafkaWireError("Connection closed"));
    this.socket.destroy();
  }
}

function connectSocket(address: string, ssl: boolean, timeoutMs: number, ca?: string): Promise<net.Socket> {
  const { host, port } = parseBrokerAddress(address);
  return new Promise((resolve, reject) => {
    const socket = ssl ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...(ca ? { ca } : {}) }) : net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new KafkaWireError(`Connecting to ${address} timed out`));
    }, timeoutMs);
    socket.once(ssl ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

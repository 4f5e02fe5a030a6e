import net from "node:net";
import { ANONYMOUS, allowAllAuthorizer, type AclOperation, type Authorizer, type ResourceType } from "./authz";
import type { BrokerConfig } from "./config";
import { ApiVersions } from "./protocol/apis/api-versions";
import { ErrorCode } from "./protocol/errors";
import { readRequestHeaderRest, readRequestHeaderStart, responseHeaderIsV1, writeResponseHeader, type RequestHeader } from "./protocol/headers";
import { Reader, Writer } from "./protocol/primitives";
import { compile, inRange, isFlexible, versionRange, type ApiSchema } from "./protocol/schema";

/**
 * The TCP front of the broker: framing, the handler registry and per-connection state.
 *
 * Ordering contract: requests on one connection are decoded and their handlers *started* in
 * arrival order, and responses are written strictly in request order (Kafka clients, librdkafka
 * in particular, rely on it). Handlers may finish out of order (a parked Fetch); a later
 * response waits for the earlier ones.
 *
 * Failure contract: anything malformed — an oversized or undersized frame, an unknown API key or
 * version, a body that does not decode, a handler that throws — closes that one connection and
 * nothing else.
 */

export type Body = Record<string, unknown>;

/**
 * A handler gets the decoded request body and returns the response body, or null for "no
 * response" (Produce with acks=0). `ctx` is the connection.
 */
export type Handler = (ctx: Connection, body: Body, header: RequestHeader) => Body | null | Promise<Body | null>;

export interface Registration {
  schema: ApiSchema;
  handler: Handler;
  /** Advertised range; defaults to the schema's request validVersions. */
  minVersion: number;
  maxVersion: number;
}

/** An extension installed at start (lib/broker/security): registers handlers, sets the authorizer. */
export type BrokerPlugin = (server: BrokerServer) => void | Promise<void>;

/** APIs a connection may use before it has authenticated when SASL is required. */
const PRE_AUTH_APIS = new Set([17, 18, 36]);
const MAX_PIPELINED = 256;
/** Unsent response bytes after which a connection stops being read until the client catches up. */
const MAX_WRITE_BACKLOG = 64 * 1024 * 1024;

export interface ConnectionInfo {
  id: number;
  principal: string;
  authenticated: boolean;
  remoteAddress: string;
  clientId: string | null;
  connectedAt: number;
}

/** Raw frames bypass Kafka framing after SaslHandshake v0 (legacy KIP-43 tokens). */
export type RawFrameHandler = (ctx: Connection, frame: Buffer) => Buffer | null | Promise<Buffer | null>;

interface Slot {
  ready: boolean;
  chunks: Buffer[] | null;
}

export class Connection {
  principal = ANONYMOUS;
  authenticated = false;
  clientId: string | null = null;
  readonly connectedAt = Date.now();
  readonly remoteAddress: string;
  /** Free-form per-connection state for extensions (SASL exchange in progress, ...). */
  readonly state = new Map<string, unknown>();
  /** When set, the next frames are handed over raw instead of being decoded as requests. */
  rawFrameHandler: RawFrameHandler | null = null;

  private inbound: Buffer[] = [];
  private inboundBytes = 0;
  private slots: Slot[] = [];
  private closed = false;
  private sawRequest = false;
  private firstTimer: NodeJS.Timeout | null;
  private closeListeners = new Set<() => void>();

  constructor(
    readonly id: number,
    readonly socket: net.Socket,
    readonly server: BrokerServer,
  ) {
    this.remoteAddress = (socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    socket.setNoDelay(true);
    socket.setTimeout(server.config.idleTimeoutMs, () => this.close("idle timeout"));
    this.firstTimer = setTimeout(() => {
      if (!this.sawRequest) this.close("no request received");
    }, server.config.firstRequestTimeoutMs);
    this.firstTimer.unref();
    socket.on("data", (d) => this.onData(d));
    socket.on("drain", () => this.maybeResume());
    socket.on("error", () => this.close());
    socket.on("close", () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs `fn` once when the connection closes (parked requests use it to stop waiting). */
  onClose(fn: () => void): () => void {
    if (this.closed) {
      fn();
      return () => {};
    }
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }

  /** Asks the authorizer; super users always pass. */
  authorize(operation: AclOperation, resourceType: ResourceType, resourceName: string): boolean {
    if (this.server.config.superUsers.includes(this.principal)) return true;
    return this.server.authorizer.authorize({
      principal: this.principal,
      host: this.remoteAddress,
      operation,
      resourceType,
      resourceName,
    });
  }

  info(): ConnectionInfo {
    return {
      id: this.id,
      principal: this.principal,
      authenticated: this.authenticated,
      remoteAddress: this.remoteAddress,
      clientId: this.clientId,
      connectedAt: this.connectedAt,
    };
  }

  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.firstTimer) clearTimeout(this.firstTimer);
    if (reason) this.server.config.log.debug(`closing connection ${this.id} (${this.remoteAddress}): ${reason}`);
    this.socket.destroy();
    this.inbound = [];
    this.slots = [];
    this.server.forget(this);
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const fn of listeners) fn();
  }

  private onData(d: Buffer): void {
    if (this.closed) return;
    this.inbound.push(d);
    this.inboundBytes += d.length;
    this.drainFrames();
  }

  private drainFrames(): void {
    while (!this.closed && this.inboundBytes >= 4) {
      if (this.inbound[0].length < 4) this.inbound = [Buffer.concat(this.inbound)];
      const size = this.inbound[0].readInt32BE(0);
      const min = this.rawFrameHandler ? 0 : 8;
      if (size < min || size > this.server.config.maxFrameBytes) {
        this.close(`bad frame size ${size}`);
        return;
      }
      if (this.inboundBytes < size + 4) return;
      let frame: Buffer;
      const first = this.inbound[0];
      if (first.length >= size + 4) {
        frame = first.subarray(4, size + 4);
        if (first.length === size + 4) this.inbound.shift();
        else this.inbound[0] = first.subarray(size + 4);
      } else {
        const all = Buffer.concat(this.inbound, this.inboundBytes);
        frame = all.subarray(4, size + 4);
        this.inbound = all.length > size + 4 ? [all.subarray(size + 4)] : [];
      }
      this.inboundBytes -= size + 4;
      this.sawRequest = true;
      this.dispatch(frame);
      if (this.slots.length >= MAX_PIPELINED) this.socket.pause();
    }
  }

  private dispatch(frame: Buffer): void {
    const raw = this.rawFrameHandler;
    if (raw) {
      this.enqueue(async () => {
        const out = await raw(this, frame);
        if (out === null) return null;
        const size = Buffer.allocUnsafe(4);
        size.writeInt32BE(out.length, 0);
        return [size, out];
      });
      return;
    }
    const r = new Reader(frame);
    let start: Omit<RequestHeader, "clientId">;
    try {
      start = readRequestHeaderStart(r);
    } catch {
      this.close("unreadable request header");
      return;
    }
    const reg = this.server.handlers.get(start.apiKey);
    if (!reg) {
      this.close(`unknown api key ${start.apiKey}`);
      return;
    }
    if (this.server.config.requireSasl && !this.authenticated && !PRE_AUTH_APIS.has(start.apiKey)) {
      this.close(`api ${start.apiKey} before authentication`);
      return;
    }
    if (start.apiVersion < reg.minVersion || start.apiVersion > reg.maxVersion) {
      if (start.apiKey === ApiVersions.apiKey) {
        // KIP-511: answer in the v0 layout with UNSUPPORTED_VERSION and our ranges, so the client
        // can retry with a version we speak.
        const body = { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: this.server.apiVersionsList() };
        this.enqueue(() => encodeResponse(reg.schema, 0, start.correlationId, body));
        return;
      }
      this.close(`unsupported version ${start.apiVersion} of api ${start.apiKey}`);
      return;
    }
    let header: RequestHeader;
    let body: Body;
    try {
      const flexible = isFlexible(reg.schema.request, start.apiVersion);
      const clientId = readRequestHeaderRest(r, flexible);
      header = { ...start, clientId };
      body = compile(reg.schema.request, start.apiVersion).decode(r);
    } catch (err) {
      this.close(`undecodable ${reg.schema.name} v${start.apiVersion}: ${(err as Error).message}`);
      return;
    }
    if (header.clientId !== null) this.clientId = header.clientId;
    this.server.countRequest(reg.schema.name);
    this.enqueue(async () => {
      const out = await reg.handler(this, body, header);
      if (out === null) return null;
      return encodeResponse(reg.schema, header.apiVersion, header.correlationId, out);
    });
  }

  /** Starts work now; its response is written once every earlier response has been. */
  private enqueue(work: () => Promise<Buffer[] | null> | Buffer[] | null): void {
    const slot: Slot = { ready: false, chunks: null };
    this.slots.push(slot);
    let p: Promise<Buffer[] | null>;
    try {
      p = Promise.resolve(work());
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (chunks) => {
        slot.ready = true;
        slot.chunks = chunks;
        this.flush();
      },
      (err: unknown) => {
        this.server.config.log.warn(`handler failed on connection ${this.id}: ${(err as Error)?.stack ?? String(err)}`);
        this.close("handler error");
      },
    );
  }

  private flush(): void {
    if (this.closed) return;
    let wrote = false;
    while (this.slots.length > 0 && this.slots[0].ready) {
      const s = this.slots.shift()!;
      if (s.chunks) {
        if (!wrote) this.socket.cork();
        wrote = true;
        for (const c of s.chunks) this.socket.write(c);
      }
    }
    if (wrote) this.socket.uncork();
    // A client that pipelines requests but does not read responses is not read either.
    if (this.socket.writableLength > MAX_WRITE_BACKLOG) this.socket.pause();
    else this.maybeResume();
  }

  private maybeResume(): void {
    if (this.closed || !this.socket.isPaused()) return;
    if (this.slots.length < MAX_PIPELINED && this.socket.writableLength <= MAX_WRITE_BACKLOG) this.socket.resume();
  }
}

/** Size prefix + response header + body, as chunks ready for the socket. */
export function encodeResponse(schema: ApiSchema, version: number, correlationId: number, body: Body): Buffer[] {
  const w = new Writer(256);
  w.int32(0);
  const flexible = isFlexible(schema.response, version);
  writeResponseHeader(w, correlationId, responseHeaderIsV1(schema.apiKey, flexible));
  compile(schema.response, version).encode(w, body);
  const chunks = w.toChunks();
  chunks[0].writeInt32BE(w.length - 4, 0);
  return chunks;
}

export class BrokerServer {
  readonly handlers = new Map<number, Registration>();
  authorizer: Authorizer = allowAllAuthorizer;
  readonly connections = new Set<Connection>();
  readonly requestCounts = new Map<string, number>();
  private server: net.Server | null = null;
  private nextId = 1;
  private closeHooks: (() => void | Promise<void>)[] = [];
  port = 0;

  constructor(readonly config: BrokerConfig) {}

  /** The data directory; extensions keep their own files in a subfolder of it. */
  get dataDir(): string {
    return this.config.dataDir;
  }

  /**
   * Registers the handler for an API. The advertised version range is the schema's request
   * validVersions unless narrowed. Registering the same key again replaces the handler.
   */
  registerHandler(schema: ApiSchema, handler: Handler, advertise?: { min?: number; max?: number }): void {
    const [lo, hi] = versionRange(schema.request);
    const minVersion = advertise?.min ?? lo;
    const maxVersion = advertise?.max ?? hi;
    if (!inRange(schema.request.validVersions, minVersion) || !inRange(schema.request.validVersions, maxVersion)) {
      throw new Error(`${schema.name}: advertised range ${minVersion}-${maxVersion} outside the schema`);
    }
    this.handlers.set(schema.apiKey, { schema, handler, minVersion, maxVersion });
  }

  setAuthorizer(a: Authorizer): void {
    this.authorizer = a;
  }

  /** Runs on close, before the data is flushed (extensions persist their state here). */
  onClose(hook: () => void | Promise<void>): void {
    this.closeHooks.push(hook);
  }

  apiVersionsList(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return [...this.handlers.values()]
      .map((r) => ({ apiKey: r.schema.apiKey, minVersion: r.minVersion, maxVersion: r.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }

  listConnections(): ConnectionInfo[] {
    return [...this.connections].map((c) => c.info());
  }

  /** Cuts off every live connection of a principal (a deleted user); returns how many. */
  closeConnections(principal: string): number {
    let n = 0;
    for (const c of [...this.connections]) {
      if (c.principal === principal) {
        c.close(`principal ${principal} cut off`);
        n++;
      }
    }
    return n;
  }

  countRequest(name: string): void {
    this.requestCounts.set(name, (this.requestCounts.get(name) ?? 0) + 1);
  }

  forget(c: Connection): void {
    this.connections.delete(c);
  }

  async listen(): Promise<number> {
    const server = net.createServer((socket) => {
      const c = new Connection(this.nextId++, socket, this);
      this.connections.add(c);
    });
    server.on("error", (err) => this.config.log.error(`listener: ${err.message}`));
    const tryListen = (host: string) =>
      new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once("error", onError);
        server.listen({ host, port: this.config.port, ipv6Only: false }, () => {
          server.off("error", onError);
          resolve();
        });
      });
    try {
      await tryListen(this.config.host);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (this.config.host !== "::" || (code !== "EAFNOSUPPORT" && code !== "EADDRNOTAVAIL")) throw err;
      await tryListen("0.0.0.0");
    }
    this.server = server;
    const addr = server.address();
    this.port = typeof addr === "object" && addr ? addr.port : this.config.port;
    return this.port;
  }

  async close(): Promise<void> {
    for (const hook of this.closeHooks) await hook();
    const server = this.server;
    this.server = null;
    for (const c of [...this.connections]) c.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

import path from "node:path";
import type { BrokerPlugin } from "./server";

/** Everything the broker can be told, in one place. `resolveConfig` fills in the defaults. */
export interface BrokerConfig {
  /** Listen address. "::" listens dual-stack (IPv4 and IPv6), falling back to 0.0.0.0. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Everything persistent lives under here: topics/, groups/, and the security module's state. */
  dataDir: string;
  /** Host and port written into Metadata/FindCoordinator. kafkajs cannot parse IPv6 literals. */
  advertisedHost: string;
  /** Defaults to the bound port. */
  advertisedPort?: number;
  nodeId: number;
  clusterId: string;
  /** When true, only ApiVersions/SaslHandshake/SaslAuthenticate are served until authenticated. */
  requireSasl: boolean;
  /** Principals ("User:admin") that bypass the authorizer. */
  superUsers: string[];
  /** HTTP port for GET /metrics and GET /healthz; undefined disables it, 0 picks a free port. */
  metricsPort?: number;
  /** Largest request frame accepted (Kafka's socket.request.max.bytes). Larger closes the connection. */
  maxFrameBytes: number;
  /** A connection that has not sent a complete request after this long is closed. */
  firstRequestTimeoutMs: number;
  /** Any connection silent for this long is closed (Kafka's connections.max.idle.ms). */
  idleTimeoutMs: number;
  /** Metadata requests may create missing topics (off by default, as in managed Kafka). */
  autoCreateTopics: boolean;
  defaultPartitions: number;
  /** Topic config defaults; topics override them with configs of the same Kafka names. */
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
  maxMessageBytes: number;
  /** Offsets of a group without members expire this long after its newest commit (Kafka: 7 days). */
  offsetsRetentionMs: number;
  /** How often retention runs. */
  retentionCheckIntervalMs: number;
  /**
   * false: an acknowledged batch has been written to the OS (survives a SIGKILL of the broker).
   * true: also fsync'd before the ack (survives power loss), at a large throughput cost.
   */
  fsyncOnAck: boolean;
  /** Extensions (the security module) run after the core handlers are registered, before listening. */
  plugins: BrokerPlugin[];
  log: BrokerLogger;
}

export interface BrokerLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  debug(msg: string): void;
}

export const consoleLogger: BrokerLogger = {
  info: (m) => console.log(`[broker] ${m}`),
  warn: (m) => console.warn(`[broker] WARN ${m}`),
  error: (m) => console.error(`[broker] ERROR ${m}`),
  debug: () => {},
};

export const silentLogger: BrokerLogger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

export type BrokerOptions = Partial<BrokerConfig> & { dataDir: string };

export function resolveConfig(o: BrokerOptions): BrokerConfig {
  return {
    host: "::",
    port: 9092,
    advertisedHost: "localhost",
    nodeId: 1,
    clusterId: "tributary-embedded",
    requireSasl: false,
    superUsers: [],
    maxFrameBytes: 100 * 1024 * 1024,
    firstRequestTimeoutMs: 10_000,
    idleTimeoutMs: 10 * 60_000,
    autoCreateTopics: false,
    defaultPartitions: 1,
    retentionMs: 7 * 24 * 3600_000,
    retentionBytes: -1,
    segmentBytes: 64 * 1024 * 1024,
    maxMessageBytes: 1024 * 1024 + 12,
    retentionCheckIntervalMs: 30_000,
    offsetsRetentionMs: 7 * 24 * 3600_000,
    fsyncOnAck: false,
    plugins: [],
    log: consoleLogger,
    ...(Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as BrokerOptions),
  } satisfies BrokerConfig;
}

export function topicsDir(c: BrokerConfig): string {
  return path.join(c.dataDir, "topics");
}
export function groupsDir(c: BrokerConfig): string {
  return path.join(c.dataDir, "groups");
}

import fs from "node:fs";
import path from "node:path";
import type { BrokerConfig } from "../config";
import { PartitionLog } from "./partition-log";

/**
 * Topics on disk: `<dataDir>/topics/<name>/topic.json` ({ partitions, configs }) and one
 * directory per partition. Topic names are restricted to Kafka's legal characters, so they are
 * safe as directory names. topic.json is replaced atomically (write + rename).
 */

export const TOPIC_CONFIG_KEYS = [
  "cleanup.policy",
  "retention.ms",
  "retention.bytes",
  "segment.bytes",
  "max.message.bytes",
  "message.timestamp.type",
  "compression.type",
  "min.insync.replicas",
] as const;
export type TopicConfigKey = (typeof TOPIC_CONFIG_KEYS)[number];

export interface EffectiveTopicConfig {
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
  maxMessageBytes: number;
  logAppendTime: boolean;
}

export class Topic {
  constructor(
    readonly name: string,
    readonly dir: string,
    public partitions: PartitionLog[],
    public configs: Record<string, string>,
  ) {}
}

const LEGAL = /^[a-zA-Z0-9._-]+$/;

export function validTopicName(name: string): boolean {
  return name.length > 0 && name.length <= 249 && LEGAL.test(name) && name !== "." && name !== "..";
}

export class TopicStore {
  readonly topics = new Map<string, Topic>();
  private readonly root: string;

  constructor(private readonly config: BrokerConfig) {
    this.root = path.join(config.dataDir, "topics");
    fs.mkdirSync(this.root, { recursive: true });
    for (const entry of fs.readdirSync(this.root)) {
      if (entry.startsWith(".")) {
        fs.rmSync(path.join(this.root, entry), { recursive: true, force: true });
        continue;
      }
      const meta = path.join(this.root, entry, "topic.json");
      if (!fs.existsSync(meta)) continue;
      const m = JSON.parse(fs.readFileSync(meta, "utf8")) as { partitions: number; configs: Record<string, string> };
      const dir = path.join(this.root, entry);
      const parts = Array.from({ length: m.partitions }, (_, p) => new PartitionLog(path.join(dir, String(p)), entry, p));
      this.topics.set(entry, new Topic(entry, dir, parts, m.configs ?? {}));
    }
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(topic: string, p: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[p];
  }

  create(name: string, partitions: number, configs: Record<string, string>): Topic {
    const dir = path.join(this.root, name);
    fs.mkdirSync(dir, { recursive: true });
    const parts = Array.from({ length: partitions }, (_, p) => new PartitionLog(path.join(dir, String(p)), name, p));
    const t = new Topic(name, dir, parts, configs);
    this.topics.set(name, t);
    this.persist(t);
    return t;
  }

  delete(name: string): boolean {
    const t = this.topics.get(name);
    if (!t) return false;
    this.topics.delete(name);
    for (const p of t.partitions) p.close();
    // Rename first so a crash mid-delete never resurrects a half-deleted topic.
    const grave = path.join(this.root, `.deleted-${name}-${Date.now()}`);
    fs.renameSync(t.dir, grave);
    fs.rmSync(grave, { recursive: true, force: true });
    return true;
  }

  addPartitions(t: Topic, count: number): void {
    for (let p = t.partitions.length; p < count; p++) t.partitions.push(new PartitionLog(path.join(t.dir, String(p)), t.name, p));
    this.persist(t);
  }

  setConfigs(t: Topic, configs: Record<string, string>): void {
    t.configs = configs;
    this.persist(t);
  }

  private persist(t: Topic): void {
    const file = path.join(t.dir, "topic.json");
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ partitions: t.partitions.length, configs: t.configs }));
    fs.renameSync(tmp, file);
  }

  /** Broker defaults overlaid with the topic's overrides. */
  effective(t: Topic): EffectiveTopicConfig {
    const num = (k: string, d: number) => (t.configs[k] !== undefined ? Number(t.configs[k]) : d);
    return {
      retentionMs: num("retention.ms", this.config.retentionMs),
      retentionBytes: num("retention.bytes", this.config.retentionBytes),
      segmentBytes: num("segment.bytes", this.config.segmentBytes),
      maxMessageBytes: num("max.message.bytes", this.config.maxMessageBytes),
      logAppendTime: t.configs["message.timestamp.type"] === "LogAppendTime",
    };
  }

  /** The value a config has for a topic, and whether it is the default. */
  describe(t: Topic, key: TopicConfigKey): { value: string; isDefault: boolean } {
    if (t.configs[key] !== undefined) return { value: t.configs[key], isDefault: false };
    return { value: this.defaults()[key], isDefault: true };
  }

  defaults(): Record<TopicConfigKey, string> {
    return {
      "cleanup.policy": "delete",
      "retention.ms": String(this.config.retentionMs),
      "retention.bytes": String(this.config.retentionBytes),
      "segment.bytes": String(this.config.segmentBytes),
      "max.message.bytes": String(this.config.maxMessageBytes),
      "message.timestamp.type": "CreateTime",
      "compression.type": "producer",
      "min.insync.replicas": "1",
    };
  }

  applyRetention(now: number): void {
    for (const t of this.topics.values()) {
      const e = this.effective(t);
      for (const p of t.partitions) p.applyRetention(now, e.retentionMs, e.retentionBytes);
    }
  }

  /** Flushes every partition to disk and closes its files. */
  close(): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.close(true);
  }
}

/** Checks a topic config override; returns an error message or null. */
export function validateTopicConfig(key: string, value: string | null): string | null {
  if (!(TOPIC_CONFIG_KEYS as readonly string[]).includes(key)) return `Unknown topic config name: ${key}`;
  if (value === null) return `Config ${key} needs a value`;
  switch (key) {
    case "cleanup.policy":
      return value === "delete" ? null : "Only cleanup.policy=delete is supported by the embedded broker";
    case "message.timestamp.type":
      return value === "CreateTime" || value === "LogAppendTime" ? null : `Invalid value ${value} for ${key}`;
    case "compression.type":
      return ["producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"].includes(value) ? null : `Invalid value ${value} for ${key}`;
    case "retention.ms":
    case "retention.bytes":
      return /^-?\d+$/.test(value) && Number(value) >= -1 ? null : `Invalid value ${value} for ${key}`;
    default:
      return /^\d+$/.test(value) && Number(value) > 0 ? null : `Invalid value ${value} for ${key}`;
  }
}

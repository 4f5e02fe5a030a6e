import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Committed offsets, one JSON file per group under `<dataDir>/groups/` (named by a hash, since
 * group ids may hold any character), replaced atomically (write + rename) on every commit, so a
 * crash leaves either the old or the new set. Commit metadata is stored and returned verbatim.
 */
export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
  commitTimestamp: number;
}

interface GroupFile {
  group: string;
  protocolType: string;
  offsets: [topic: string, partition: number, offset: number, leaderEpoch: number, metadata: string | null, ts: number][];
}

export class OffsetStore {
  private readonly byGroup = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  readonly protocolTypes = new Map<string, string>();

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith(".json")) {
        if (f.endsWith(".tmp")) fs.rmSync(path.join(dir, f), { force: true });
        continue;
      }
      const data = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as GroupFile;
      const topics = new Map<string, Map<number, CommittedOffset>>();
      for (const [topic, partition, offset, leaderEpoch, metadata, ts] of data.offsets) {
        if (!topics.has(topic)) topics.set(topic, new Map());
        topics.get(topic)!.set(partition, { offset, leaderEpoch, metadata, commitTimestamp: ts });
      }
      this.byGroup.set(data.group, topics);
      this.protocolTypes.set(data.group, data.protocolType);
    }
  }

  groups(): string[] {
    return [...this.byGroup.keys()];
  }

  has(group: string): boolean {
    return this.byGroup.has(group);
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.byGroup.get(group)?.get(topic)?.get(partition);
  }

  all(group: string): Map<string, Map<number, CommittedOffset>> {
    return this.byGroup.get(group) ?? new Map();
  }

  commit(group: string, protocolType: string, entries: { topic: string; partition: number; value: CommittedOffset }[]): void {
    let topics = this.byGroup.get(group);
    if (!topics) {
      topics = new Map();
      this.byGroup.set(group, topics);
    }
    for (const e of entries) {
      if (!topics.has(e.topic)) topics.set(e.topic, new Map());
      topics.get(e.topic)!.set(e.partition, e.value);
    }
    if (!this.protocolTypes.get(group)) this.protocolTypes.set(group, protocolType);
    this.persist(group);
  }

  /** The most recent commit time of a group's offsets, or -1. */
  newestCommit(group: string): number {
    let newest = -1;
    for (const parts of this.byGroup.get(group)?.values() ?? []) for (const v of parts.values()) newest = Math.max(newest, v.commitTimestamp);
    return newest;
  }

  deleteGroup(group: string): void {
    this.byGroup.delete(group);
    this.protocolTypes.delete(group);
    fs.rmSync(this.file(group), { force: true });
  }

  deleteTopic(topic: string): void {
    for (const [group, topics] of this.byGroup) {
      if (topics.delete(topic)) this.persist(group);
    }
  }

  private file(group: string): string {
    return path.join(this.dir, `${createHash("sha256").update(group).digest("hex").slice(0, 40)}.json`);
  }

  private persist(group: string): void {
    const topics = this.byGroup.get(group);
    if (!topics) return;
    const data: GroupFile = { group, protocolType: this.protocolTypes.get(group) ?? "", offsets: [] };
    for (const [topic, parts] of topics) {
      for (const [p, v] of parts) data.offsets.push([topic, p, v.offset, v.leaderEpoch, v.metadata, v.commitTimestamp]);
    }
    const file = this.file(group);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(data));
    fs.renameSync(`${file}.tmp`, file);
  }
}

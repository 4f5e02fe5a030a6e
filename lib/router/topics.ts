import type { Admin } from "kafkajs";

/**
 * Delivery and DLQ topics, created on demand with the source topic's partition count, so source
 * partition p is delivered to partition p (per-key order and one writer per delivery partition).
 * lib/provisioning has the same rule for the topic a subscription reads; whichever worker comes
 * first creates it, and "already exists" is fine for both.
 */
export class TopicCache {
  private partitions = new Map<string, number>();

  constructor(private readonly admin: Admin) {}

  /** Partition counts of existing topics; refreshed on every call. */
  async listExisting(): Promise<Set<string>> {
    return new Set(await this.admin.listTopics());
  }

  partitionCount(topic: string): number | undefined {
    return this.partitions.get(topic);
  }

  async describe(topics: string[]): Promise<void> {
    if (topics.length === 0) return;
    const meta = await this.admin.fetchTopicMetadata({ topics });
    for (const t of meta.topics) this.partitions.set(t.name, t.partitions.length);
  }

  /**
   * Makes sure each topic exists with at least `partitions` partitions (the source's count).
   * Known topics are not asked about again; `forget` makes the next call check.
   */
  async ensure(topics: string[], partitions: number, existing: Set<string>): Promise<void> {
    const missing = topics.filter((t) => !existing.has(t) && !this.partitions.has(t));
    if (missing.length) {
      await this.admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: partitions })) });
      for (const t of missing) existing.add(t);
    }
    const unknown = topics.filter((t) => !this.partitions.has(t));
    await this.describe(unknown);
    const short = topics.filter((t) => (this.partitions.get(t) ?? partitions) < partitions);
    if (short.length) {
      await this.admin.createPartitions({ topicPartitions: short.map((topic) => ({ topic, count: partitions })) });
      await this.describe(short);
    }
  }

  forget(topic: string): void {
    this.partitions.delete(topic);
  }
}

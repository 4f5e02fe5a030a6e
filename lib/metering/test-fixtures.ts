import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { deliveryByteIndex, subscriptions } from "@/db/schema";
import { createSubscriptionWorld, subscribeToAutoPlan, type SubscriptionWorld } from "@/lib/subscriptions/test-fixtures";
import type { OffsetSource } from "./offsets";

/** An in-memory cluster view for meter tests: groups' committed offsets and topic watermarks. */
export class FakeOffsetSource implements OffsetSource {
  /** group -> topic -> partition -> committed offset */
  readonly committed = new Map<string, Map<string, Map<number, number>>>();
  readonly marks = new Map<string, Map<number, { low: number; high: number }>>();
  /** Called before each committedOffsets answer; throw from it to simulate a failure. */
  beforeCommitted: (groupId: string) => void = () => {};

  commit(groupId: string, topic: string, partition: number, offset: number): void {
    const g = this.committed.get(groupId) ?? new Map<string, Map<number, number>>();
    const t = g.get(topic) ?? new Map<number, number>();
    t.set(partition, offset);
    g.set(topic, t);
    this.committed.set(groupId, g);
  }

  setHigh(topic: string, partition: number, high: number, low = 0): void {
    const m = this.marks.get(topic) ?? new Map<number, { low: number; high: number }>();
    m.set(partition, { low, high });
    this.marks.set(topic, m);
  }

  async listGroupIds(): Promise<string[]> {
    return [...this.committed.keys()];
  }
  async committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    this.beforeCommitted(groupId);
    return new Map(this.committed.get(groupId)?.get(topic) ?? []);
  }
  async topicOffsets(topic: string): Promise<Map<number, { low: number; high: number }>> {
    return new Map(this.marks.get(topic) ?? []);
  }
  async close(): Promise<void> {}
}

/** Appends one batch of records with the given sizes to the byte index, after the partition's last row. */
export async function indexBatch(db: Db, topic: string, partition: number, sizes: number[]): Promise<{ baseOffset: number; offset: number }> {
  const rows = await db.select().from(deliveryByteIndex).where(eq(deliveryByteIndex.topic, topic));
  const last = rows.filter((r) => r.partition === partition).sort((a, b) => b.offset - a.offset)[0];
  const baseOffset = last?.offset ?? 0;
  const cumulative = (last?.cumulativeBytes ?? 0) + sizes.reduce((a, b) => a + b, 0);
  await db.insert(deliveryByteIndex).values({ topic, partition, baseOffset, offset: baseOffset + sizes.length, cumulativeBytes: cumulative, recordBytes: sizes });
  return { baseOffset, offset: baseOffset + sizes.length };
}

/** A subscription world with one active subscription (no Kafka involved). */
export async function activeSubscription(db: Db, world?: SubscriptionWorld) {
  const w = world ?? (await createSubscriptionWorld(db));
  const res = await subscribeToAutoPlan(db, w);
  const [sub] = await db
    .update(subscriptions)
    .set({ state: "active", activatedAt: new Date() })
    .where(eq(subscriptions.id, res.subscriptionId))
    .returning();
  return { w, sub: sub! };
}

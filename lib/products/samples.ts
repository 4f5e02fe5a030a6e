import { randomBytes } from "node:crypto";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { contractVersions, dataProducts, maskingTiers, plans, subscriptions } from "@/db/schema";
import { isMemberOfTeam, type SessionUser } from "@/lib/auth/roles";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";
import { deliveryTopicName, internalGroupName } from "@/lib/kafka/names";
import { productOpsAccess } from "./access";

/**
 * Masked samples for the product page: a few recent records of the tier the viewer would get,
 * read from that tier's delivery topic with the platform's connection. Never from the source
 * topic: the topic is always made by deliveryTopicName, and readDeliverySamples refuses any
 * other name.
 */

export const SAMPLE_LIMIT = 5;
const DELIVERY_PREFIX = "tributary.delivery.";

export type SampleTier = { id: string; name: string; fullAccess: boolean };

export type SampleSource =
  | { kind: "signed_out" }
  /** Nothing this viewer may preview, e.g. every plan they could take is unmasked. */
  | { kind: "unavailable"; reason: string }
  | {
      kind: "tier";
      /** Why this tier: the viewer's active subscription, the default plan they could take, or an owner's pick. */
      basis: "subscription" | "default_plan" | "owner";
      tier: SampleTier;
      contractMajor: number;
      topic: string;
      /** Every tier of the product, for the owner's selector; empty for consumers. */
      tiers: SampleTier[];
      planName?: string;
    };

/**
 * Which delivery topic the viewer's samples come from.
 * - team members of the owner team and admins: any tier (`requestedTier` by name, else the default plan's tier);
 * - a consumer with an active subscription: its tier and contract major;
 * - another signed-in viewer: the tier of the first plan (catalog order, visible to their org)
 *   that is masked; never an unmasked tier they do not hold.
 */
export async function resolveSampleSource(
  db: Db,
  user: SessionUser | null,
  productId: string,
  requestedTier?: string | null,
): Promise<SampleSource> {
  if (!user) return { kind: "signed_out" };
  const [product] = await db
    .select({ id: dataProducts.id, slug: dataProducts.slug, ownerTeamId: dataProducts.ownerTeamId, status: dataProducts.status })
    .from(dataProducts)
    .where(eq(dataProducts.id, productId));
  if (!product) return { kind: "unavailable", reason: "This product does not exist." };
  const [contract] = await db
    .select({ major: contractVersions.major })
    .from(contractVersions)
    .where(and(eq(contractVersions.productId, productId), inArray(contractVersions.status, ["published", "deprecated"])))
    .orderBy(sql`(${contractVersions.status} = 'published') desc`, desc(contractVersions.major), desc(contractVersions.minor), desc(contractVersions.patch))
    .limit(1);
  const external = user.orgKind === "external";
  const planRows = await db
    .select({ plan: plans, tier: maskingTiers })
    .from(plans)
    .innerJoin(maskingTiers, eq(maskingTiers.id, plans.tierId))
    .where(and(eq(plans.productId, productId), eq(plans.active, true), external ? eq(plans.externalAllowed, true) : undefined))
    .orderBy(sql`(${plans.priceModel} = 'free') desc`, asc(plans.priceMinor), asc(plans.name));
  const defaultPlan = planRows.find((r) => !r.tier.fullAccess);
  const toTier = (t: typeof maskingTiers.$inferSelect): SampleTier => ({ id: t.id, name: t.name, fullAccess: t.fullAccess });

  if (productOpsAccess(user, product.ownerTeamId).canViewOps) {
    if (!contract) return { kind: "unavailable", reason: "No published contract yet, so there is no delivery topic." };
    const tiers = (await db.select().from(maskingTiers).where(eq(maskingTiers.productId, productId)).orderBy(asc(maskingTiers.name))).map(toTier);
    if (tiers.length === 0) return { kind: "unavailable", reason: "This product has no masking tiers yet." };
    const tier =
      tiers.find((t) => t.name === requestedTier) ?? tiers.find((t) => t.id === defaultPlan?.tier.id) ?? tiers.find((t) => !t.fullAccess) ?? tiers[0];
    return { kind: "tier", basis: "owner", tier, contractMajor: contract.major, topic: deliveryTopicName(product.slug, contract.major, tier.name), tiers };
  }

  const teamIds = user.teams.map((t) => t.id);
  if (teamIds.length > 0) {
    const [sub] = await db
      .select({ sub: subscriptions, tier: maskingTiers, planName: plans.name })
      .from(subscriptions)
      .innerJoin(maskingTiers, eq(maskingTiers.id, subscriptions.tierId))
      .innerJoin(plans, eq(plans.id, subscriptions.planId))
      .where(and(eq(subscriptions.productId, productId), eq(subscriptions.state, "active"), inArray(subscriptions.teamId, teamIds)))
      .orderBy(desc(subscriptions.activatedAt))
      .limit(1);
    if (sub && isMemberOfTeam(user, sub.sub.teamId)) {
      return {
        kind: "tier",
        basis: "subscription",
        tier: toTier(sub.tier),
        contractMajor: sub.sub.contractMajor,
        topic: deliveryTopicName(product.slug, sub.sub.contractMajor, sub.tier.name),
        tiers: [],
        planName: sub.planName,
      };
    }
  }
  if (!contract) return { kind: "unavailable", reason: "No published contract yet." };
  if (!defaultPlan) {
    return {
      kind: "unavailable",
      reason: planRows.length ? "Every plan you could take delivers unmasked data, so samples are shown only to subscribers." : "No plan is open to you yet.",
    };
  }
  return {
    kind: "tier",
    basis: "default_plan",
    tier: toTier(defaultPlan.tier),
    contractMajor: contract.major,
    topic: deliveryTopicName(product.slug, contract.major, defaultPlan.tier.name),
    tiers: [],
    planName: defaultPlan.plan.name,
  };
}

export type SampleRecord = {
  partition: number;
  offset: string;
  timestamp: Date;
  key: string | null;
  /** Pretty-printed JSON when the value parses, else the text (truncated). */
  value: string;
  json: boolean;
  headers: Record<string, string>;
};

export type SampleResult =
  | { status: "ok"; topic: string; records: SampleRecord[] }
  | { status: "missing"; topic: string }
  | { status: "empty"; topic: string }
  | { status: "error"; topic: string; message: string };

export type ReadSamplesOptions = {
  limit?: number;
  /** Whole read budget; the page renders with an error state rather than wait longer. */
  timeoutMs?: number;
  /** Results are reused this long per topic, so a busy product page does not open a consumer per view. */
  cacheMs?: number;
};

const MAX_VALUE_CHARS = 4000;
type CacheEntry = { expires: number; result: Promise<SampleResult> };
const cache = new Map<string, CacheEntry>();

export function isDeliveryTopic(topic: string): boolean {
  return topic.startsWith(DELIVERY_PREFIX);
}

/**
 * The last `limit` records of a delivery topic (newest first): offsets from the admin API, then a
 * short-lived consumer in a throwaway internal group that seeks each partition to its last
 * `limit` records and stops when it has them or the budget runs out. Never commits.
 */
export async function readDeliverySamples(connection: KafkaConnectionOptions, topic: string, opts: ReadSamplesOptions = {}): Promise<SampleResult> {
  if (!isDeliveryTopic(topic)) throw new Error(`Samples are read from delivery topics only, not ${topic}`);
  const limit = opts.limit ?? SAMPLE_LIMIT;
  const cacheMs = opts.cacheMs ?? 5000;
  const key = `${connection.brokers.join(",")}|${topic}|${limit}`;
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.expires > now) return hit.result;
  const result = readUncached(connection, topic, limit, opts.timeoutMs ?? 8000);
  if (cacheMs > 0) {
    cache.set(key, { expires: now + cacheMs, result });
    for (const [k, v] of cache) if (v.expires <= now) cache.delete(k);
  }
  return result;
}

async function readUncached(connection: KafkaConnectionOptions, topic: string, limit: number, timeoutMs: number): Promise<SampleResult> {
  const deadline = Date.now() + timeoutMs;
  const kafka = createKafka({
    connection,
    clientId: "tributary-samples",
    logLevel: "nothing",
    retries: 0,
    connectionTimeoutMs: Math.min(2000, timeoutMs),
    requestTimeoutMs: Math.min(5000, timeoutMs),
  });
  const admin = kafka.admin();
  let consumer: ReturnType<typeof kafka.consumer> | undefined;
  let groupId: string | undefined;
  try {
    await withDeadline(admin.connect(), deadline);
    const topics = await withDeadline(admin.listTopics(), deadline);
    if (!topics.includes(topic)) return { status: "missing", topic };
    const offsets = await withDeadline(admin.fetchTopicOffsets(topic), deadline);
    const ranges = offsets
      .map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
      .filter((r) => r.high > r.low)
      .map((r) => ({ ...r, start: r.high - BigInt(limit) > r.low ? r.high - BigInt(limit) : r.low }));
    if (ranges.length === 0) return { status: "empty", topic };

    const expected = ranges.reduce((n, r) => n + Number(r.high - r.start), 0);
    const got: SampleRecord[] = [];
    const seen = new Set<string>();
    groupId = internalGroupName(`samples-${randomBytes(6).toString("hex")}`);
    consumer = kafka.consumer({
      groupId,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      retry: { retries: 0 },
    });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await withDeadline(consumer.connect(), deadline);
    await withDeadline(consumer.subscribe({ topics: [topic], fromBeginning: false }), deadline);
    await withDeadline(
      consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const r = ranges.find((x) => x.partition === partition);
          const off = BigInt(message.offset);
          if (!r || off < r.start || off >= r.high) return;
          const id = `${partition}:${message.offset}`;
          if (seen.has(id)) return;
          seen.add(id);
          got.push(toSample(partition, message));
          if (got.length >= expected) done();
        },
      }),
      deadline,
    );
    for (const r of ranges) consumer.seek({ topic, partition: r.partition, offset: r.start.toString() });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))))]);
    clearTimeout(timer);
    if (got.length === 0) return { status: "error", topic, message: "No records arrived in time; the topic may be busy. Reload to try again." };
    got.sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || b.partition - a.partition);
    return { status: "ok", topic, records: got.slice(0, limit) };
  } catch (err) {
    return { status: "error", topic, message: describeKafkaError(err) };
  } finally {
    await consumer?.disconnect().catch(() => {});
    // kafkajs reads only through a group: the throwaway group (it never commits) is removed, so
    // every page view does not leave one behind on the cluster.
    if (groupId) await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

type KafkaMessageLike = { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers?: Record<string, unknown> };

function toSample(partition: number, m: KafkaMessageLike): SampleRecord {
  const text = m.value ? m.value.toString("utf8") : "";
  let value = text;
  let json = false;
  try {
    value = JSON.stringify(JSON.parse(text), null, 2);
    json = true;
  } catch {
    // not JSON: shown as text
  }
  if (value.length > MAX_VALUE_CHARS) value = `${value.slice(0, MAX_VALUE_CHARS)}\n…`;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (Buffer.isBuffer(v)) headers[k] = v.toString("utf8");
    else if (typeof v === "string") headers[k] = v;
  }
  return {
    partition,
    offset: m.offset,
    timestamp: new Date(Number(m.timestamp)),
    key: m.key ? m.key.toString("utf8") : null,
    value,
    json,
    headers,
  };
}

function describeKafkaError(err: unknown): string {
  const name = err instanceof Error ? err.name : "";
  if (name === "DeadlineError") return "Kafka did not answer in time.";
  if (/Connection|ECONNREFUSED|ENOTFOUND|Broker/i.test(`${name} ${err instanceof Error ? err.message : ""}`)) return "Kafka is unreachable right now.";
  return "Kafka could not be read right now.";
}

class DeadlineError extends Error {
  override name = "DeadlineError";
}

function withDeadline<T>(p: Promise<T>, deadline: number): Promise<T> {
  const left = deadline - Date.now();
  if (left <= 0) return Promise.reject(new DeadlineError("deadline passed"));
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError("deadline passed")), left);
    }),
  ]);
}

/** Test seam: forget cached results. */
export function clearSampleCache(): void {
  cache.clear();
}

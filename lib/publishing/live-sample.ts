import type { Db } from "@/db/client";
import { AppError } from "@/lib/errors";
import { toSampledRecords, type SampledRecord } from "./checks";
import { findCluster } from "./queries";
import { defaultWizardKafka, type WizardKafkaDeps } from "./service";
import { sampleTopic } from "./topics";
import { createLogger } from "@/lib/ops/log";

/**
 * Recent records of a published product's source topic, read server-side for the owner's tier
 * editor: its live masking preview and the "rules pass on real records" check at save. Never sent
 * by the browser. Kept in this process for a minute per product, because the preview re-runs on
 * every edit and each sample joins (and deletes) a throwaway consumer group.
 */

export type SourceSample = { ok: true; records: SampledRecord[] } | { ok: false; message: string };

const TTL_MS = 60_000;
const MAX_CACHED = 200;
const cache = new Map<string, { at: number; topic: string; clusterId: string; sample: SourceSample }>();

export async function sampleProductSource(
  db: Db,
  product: { id: string; clusterId: string | null; sourceTopic: string | null },
  opts: { kafka?: WizardKafkaDeps; fresh?: boolean; now?: number } = {},
): Promise<SourceSample> {
  if (!product.clusterId || !product.sourceTopic) return { ok: false, message: "This product has no source topic to sample." };
  const now = opts.now ?? Date.now();
  const hit = cache.get(product.id);
  if (!opts.fresh && hit && now - hit.at < TTL_MS && hit.topic === product.sourceTopic && hit.clusterId === product.clusterId) return hit.sample;
  const cluster = await findCluster(db, product.clusterId);
  if (!cluster) return { ok: false, message: "The product's cluster is no longer registered." };
  let sample: SourceSample;
  try {
    const s = await sampleTopic((opts.kafka ?? defaultWizardKafka).kafkaFor(cluster), product.sourceTopic, { max: 20, timeoutMs: 5000 });
    sample = { ok: true, records: s.messages.map((m) => (m.reject !== undefined ? { value: m.value, reject: m.reject } : toSampledRecords([m.value])[0])) };
  } catch (e) {
    if (!(e instanceof AppError)) createLogger("publishing").warn("sampling failed", { topic: product.sourceTopic, error: e instanceof Error ? e.message : String(e) });
    sample = { ok: false, message: e instanceof AppError ? e.message : `The cluster ${cluster.name} did not answer; the rules were not tried on live records.` };
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(product.id, { at: now, topic: product.sourceTopic, clusterId: product.clusterId, sample });
  return sample;
}

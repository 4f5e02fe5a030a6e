import { AclOperation, CLUSTER_RESOURCE, ResourceType } from "../authz";
import type { BrokerCore } from "../core";
import { AlterConfigs, DescribeConfigs } from "../protocol/apis/configs";
import { CreatePartitions, CreateTopics, DeleteRecords, DeleteTopics } from "../protocol/apis/topics";
import { ErrorCode } from "../protocol/errors";
import { TOPIC_CONFIG_KEYS, validateTopicConfig, validTopicName } from "../storage/topic-store";

interface CreateTopicsRequest {
  topics: {
    name: string;
    numPartitions: number;
    replicationFactor: number;
    assignments: { partitionIndex: number; brokerIds: number[] }[];
    configs: { name: string; value: string | null }[];
  }[];
  validateOnly: boolean;
}
interface DeleteRecordsRequest {
  topics: { name: string; partitions: { partitionIndex: number; offset: bigint }[] }[];
}
interface CreatePartitionsRequest {
  topics: { name: string; count: number; assignments: { brokerIds: number[] }[] | null }[];
  validateOnly: boolean;
}
interface DescribeConfigsRequest {
  resources: { resourceType: number; resourceName: string; configurationKeys: string[] | null }[];
  includeSynonyms: boolean;
}
interface AlterConfigsRequest {
  resources: { resourceType: number; resourceName: string; configs: { name: string; value: string | null }[] }[];
  validateOnly: boolean;
}

/**
 * Each partition holds two open files; a cap keeps one request from exhausting descriptors
 * (Kafka has no such limit, but a single-node embedded broker does not need thousands).
 */
export const MAX_PARTITIONS_PER_TOPIC = 1000;

/** ConfigResource types on the wire. */
const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
/** DescribeConfigs config sources. */
const SOURCE_TOPIC = 1;
const SOURCE_STATIC_BROKER = 4;
const SOURCE_DEFAULT = 5;

export function registerAdminHandlers(core: BrokerCore): void {
  const { server, topics, config } = core;

  server.registerHandler(CreateTopics, (ctx, raw) => {
    const req = raw as unknown as CreateTopicsRequest;
    const clusterCreate = ctx.authorize(AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_RESOURCE);
    const seen = new Set<string>();
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const fail = (errorCode: number, errorMessage: string | null = null) => ({ name: t.name, errorCode, errorMessage });
        if (seen.has(t.name)) return fail(ErrorCode.INVALID_REQUEST, "Duplicate topic in request");
        seen.add(t.name);
        if (!clusterCreate && !ctx.authorize(AclOperation.CREATE, ResourceType.TOPIC, t.name)) {
          return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, "Authorization failed.");
        }
        if (!validTopicName(t.name)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic name is illegal");
        if (topics.get(t.name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
        const partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? config.defaultPartitions : t.numPartitions;
        if (partitions <= 0) return fail(ErrorCode.INVALID_PARTITIONS, "Number of partitions must be larger than 0.");
        if (partitions > MAX_PARTITIONS_PER_TOPIC) return fail(ErrorCode.INVALID_PARTITIONS, `At most ${MAX_PARTITIONS_PER_TOPIC} partitions per topic.`);
        if (t.replicationFactor !== -1 && t.replicationFactor !== 1 && t.assignments.length === 0) {
          return fail(ErrorCode.INVALID_REPLICATION_FACTOR, "Replication factor exceeds the 1 available broker.");
        }
        if (t.assignments.some((a) => a.brokerIds.some((b) => b !== config.nodeId))) {
          return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, "Unknown broker in assignment");
        }
        const configs: Record<string, string> = {};
        for (const c of t.configs) {
          const problem = validateTopicConfig(c.name, c.value);
          if (problem) return fail(ErrorCode.INVALID_CONFIG, problem);
          configs[c.name] = c.value!;
        }
        if (!req.validateOnly) {
          topics.create(t.name, partitions, configs);
          config.log.info(`created topic ${t.name} (${partitions} partitions) by ${ctx.principal}`);
        }
        return fail(0);
      }),
    };
  });

  server.registerHandler(DeleteTopics, (ctx, raw) => {
    const req = raw as { topicNames: string[] };
    return {
      throttleTimeMs: 0,
      responses: req.topicNames.map((name) => {
        if (!ctx.authorize(AclOperation.DELETE, ResourceType.TOPIC, name)) {
          return { name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
        }
        if (!topics.delete(name)) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        core.groups.forgetTopic(name);
        config.log.info(`deleted topic ${name} by ${ctx.principal}`);
        return { name, errorCode: 0 };
      }),
    };
  });

  server.registerHandler(DeleteRecords, (ctx, raw) => {
    const req = raw as unknown as DeleteRecordsRequest;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const allowed = ctx.authorize(AclOperation.DELETE, ResourceType.TOPIC, t.name);
        return {
          name: t.name,
          partitions: t.partitions.map((p) => {
            const res = (errorCode: number, lowWatermark = -1) => ({ partitionIndex: p.partitionIndex, lowWatermark: BigInt(lowWatermark), errorCode });
            if (!allowed) return res(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
            const log = topics.partition(t.name, p.partitionIndex);
            if (!log) return res(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            // -1 means "up to the high watermark" (Kafka's DeleteRecordsRequest.HIGH_WATERMARK).
            const target = p.offset === -1n ? log.highWatermark : Number(p.offset);
            if (target < 0 || target > log.highWatermark) return res(ErrorCode.OFFSET_OUT_OF_RANGE);
            log.advanceLogStart(target);
            return res(0, log.logStartOffset);
          }),
        };
      }),
    };
  });

  server.registerHandler(CreatePartitions, (ctx, raw) => {
    const req = raw as unknown as CreatePartitionsRequest;
    return {
      throttleTimeMs: 0,
      results: req.topics.map((t) => {
        const res = (errorCode: number, errorMessage: string | null = null) => ({ name: t.name, errorCode, errorMessage });
        if (!ctx.authorize(AclOperation.ALTER, ResourceType.TOPIC, t.name)) return res(ErrorCode.TOPIC_AUTHORIZATION_FAILED, "Authorization failed.");
        const topic = topics.get(t.name);
        if (!topic) return res(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "Topic does not exist.");
        if (t.count <= topic.partitions.length) {
          return res(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${topic.partitions.length} partitions, which is higher than or equal to the requested ${t.count}.`);
        }
        if (t.count > MAX_PARTITIONS_PER_TOPIC) return res(ErrorCode.INVALID_PARTITIONS, `At most ${MAX_PARTITIONS_PER_TOPIC} partitions per topic.`);
        if (!req.validateOnly) {
          topics.addPartitions(topic, t.count);
          config.log.info(`topic ${t.name} now has ${t.count} partitions`);
        }
        return res(0);
      }),
    };
  });

  server.registerHandler(DescribeConfigs, (ctx, raw, header) => {
    const req = raw as unknown as DescribeConfigsRequest;
    const v0 = header.apiVersion === 0;
    return {
      throttleTimeMs: 0,
      results: req.resources.map((r) => {
        const base = { resourceType: r.resourceType, resourceName: r.resourceName, errorMessage: null as string | null };
        const wanted = (k: string) => r.configurationKeys === null || r.configurationKeys.includes(k);
        if (r.resourceType === RESOURCE_TOPIC) {
          if (!ctx.authorize(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, r.resourceName)) {
            return { ...base, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: "Authorization failed.", configs: [] };
          }
          const topic = topics.get(r.resourceName);
          if (!topic) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: "Topic does not exist.", configs: [] };
          const configs = TOPIC_CONFIG_KEYS.filter(wanted).map((name) => {
            const d = topics.describe(topic, name);
            const source = d.isDefault ? SOURCE_DEFAULT : SOURCE_TOPIC;
            return {
              name,
              value: d.value,
              readOnly: false,
              isDefault: d.isDefault,
              configSource: v0 ? -1 : source,
              isSensitive: false,
              synonyms: req.includeSynonyms ? [{ name, value: d.value, source }] : [],
            };
          });
          return { ...base, errorCode: 0, configs };
        }
        if (r.resourceType === RESOURCE_BROKER) {
          if (!ctx.authorize(AclOperation.DESCRIBE_CONFIGS, ResourceType.CLUSTER, CLUSTER_RESOURCE)) {
            return { ...base, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: "Authorization failed.", configs: [] };
          }
          const values: Record<string, string> = {
            "log.retention.ms": String(config.retentionMs),
            "log.retention.bytes": String(config.retentionBytes),
            "log.segment.bytes": String(config.segmentBytes),
            "message.max.bytes": String(config.maxMessageBytes),
            "auto.create.topics.enable": String(config.autoCreateTopics),
            "num.partitions": String(config.defaultPartitions),
            "socket.request.max.bytes": String(config.maxFrameBytes),
          };
          const configs = Object.entries(values)
            .filter(([k]) => wanted(k))
            .map(([name, value]) => ({
              name,
              value,
              readOnly: true,
              isDefault: false,
              configSource: v0 ? -1 : SOURCE_STATIC_BROKER,
              isSensitive: false,
              synonyms: req.includeSynonyms ? [{ name, value, source: SOURCE_STATIC_BROKER }] : [],
            }));
          return { ...base, errorCode: 0, configs };
        }
        return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${r.resourceType}`, configs: [] };
      }),
    };
  });

  // AlterConfigs is not incremental: the request's set replaces the topic's whole override set.
  server.registerHandler(AlterConfigs, (ctx, raw) => {
    const req = raw as unknown as AlterConfigsRequest;
    return {
      throttleTimeMs: 0,
      responses: req.resources.map((r) => {
        const res = (errorCode: number, errorMessage: string | null = null) => ({
          errorCode,
          errorMessage,
          resourceType: r.resourceType,
          resourceName: r.resourceName,
        });
        if (r.resourceType === RESOURCE_BROKER) {
          if (!ctx.authorize(AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, CLUSTER_RESOURCE)) return res(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
          return res(ErrorCode.INVALID_REQUEST, "Broker configs are read-only on the embedded broker");
        }
        if (r.resourceType !== RESOURCE_TOPIC) return res(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${r.resourceType}`);
        if (!ctx.authorize(AclOperation.ALTER_CONFIGS, ResourceType.TOPIC, r.resourceName)) return res(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        const topic = topics.get(r.resourceName);
        if (!topic) return res(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "Topic does not exist.");
        const next: Record<string, string> = {};
        for (const c of r.configs) {
          const problem = validateTopicConfig(c.name, c.value);
          if (problem) return res(ErrorCode.INVALID_CONFIG, problem);
          next[c.name] = c.value!;
        }
        if (!req.validateOnly) topics.setConfigs(topic, next);
        return res(0);
      }),
    };
  });
}

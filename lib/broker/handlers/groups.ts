import { AclOperation, CLUSTER_RESOURCE, ResourceType } from "../authz";
import type { BrokerCore } from "../core";
import type { JoinRequest } from "../groups/coordinator";
import { DeleteGroups, DescribeGroups, FindCoordinator, Heartbeat, JoinGroup, LeaveGroup, ListGroups, SyncGroup } from "../protocol/apis/groups";
import { OffsetCommit, OffsetFetch } from "../protocol/apis/offsets";
import { ErrorCode } from "../protocol/errors";

interface OffsetCommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  topics: {
    name: string;
    partitions: { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string | null }[];
  }[];
}
interface OffsetFetchRequest {
  groupId: string;
  topics: { name: string; partitionIndexes: number[] }[] | null;
}

/**
 * Group APIs with Kafka's authorization (notes §7): FindCoordinator, OffsetFetch, DescribeGroups
 * DESCRIBE the group; Join/Sync/Heartbeat/Leave and OffsetCommit READ it; DeleteGroups DELETE it.
 * OffsetCommit also needs READ on each topic and OffsetFetch DESCRIBE on each topic, the group
 * being checked first. Group errors are top-level (30), topic errors per partition (29).
 */
export function registerGroupHandlers(core: BrokerCore): void {
  const { server, groups, config, topics } = core;
  const readGroup = (ctx: Parameters<Parameters<typeof server.registerHandler>[1]>[0], id: string) =>
    ctx.authorize(AclOperation.READ, ResourceType.GROUP, id);

  server.registerHandler(FindCoordinator, (ctx, raw) => {
    const req = raw as { key: string; keyType: number };
    const node = { nodeId: config.nodeId, host: config.advertisedHost, port: config.advertisedPort ?? server.port };
    if (req.keyType !== 0) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: "Transactions are not supported", nodeId: -1, host: "", port: -1 };
    }
    if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.GROUP, req.key)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: "Group authorization failed.", nodeId: -1, host: "", port: -1 };
    }
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, ...node };
  });

  server.registerHandler(JoinGroup, async (ctx, raw, header) => {
    const req = raw as unknown as JoinRequest;
    if (!readGroup(ctx, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, protocolName: "", leader: "", memberId: req.memberId, members: [] };
    }
    const r = await groups.join(req, header.apiVersion, header.clientId ?? "", `/${ctx.remoteAddress}`);
    return { throttleTimeMs: 0, ...r };
  });

  server.registerHandler(SyncGroup, async (ctx, raw) => {
    const req = raw as { groupId: string; generationId: number; memberId: string; assignments: { memberId: string; assignment: Buffer }[] };
    if (!readGroup(ctx, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, assignment: Buffer.alloc(0) };
    const r = await groups.sync(req.groupId, req.generationId, req.memberId, req.assignments);
    return { throttleTimeMs: 0, ...r };
  });

  server.registerHandler(Heartbeat, (ctx, raw) => {
    const req = raw as { groupId: string; generationId: number; memberId: string };
    if (!readGroup(ctx, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    return { throttleTimeMs: 0, errorCode: groups.heartbeat(req.groupId, req.generationId, req.memberId) };
  });

  server.registerHandler(LeaveGroup, (ctx, raw, header) => {
    const req = raw as { groupId: string; memberId: string; members: { memberId: string; groupInstanceId: string | null }[] };
    if (!readGroup(ctx, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    if (header.apiVersion < 3) return { throttleTimeMs: 0, errorCode: groups.leave(req.groupId, req.memberId), members: [] };
    const members = req.members.map((m) => ({ ...m, errorCode: groups.leave(req.groupId, m.memberId) }));
    return { throttleTimeMs: 0, errorCode: 0, members };
  });

  server.registerHandler(OffsetCommit, (ctx, raw) => {
    const req = raw as unknown as OffsetCommitRequest;
    const respond = (code: (topic: string) => number) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(t.name) })) })),
    });
    if (!readGroup(ctx, req.groupId)) return respond(() => ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const topicError = new Map<string, number>();
    for (const t of req.topics) {
      if (!ctx.authorize(AclOperation.READ, ResourceType.TOPIC, t.name)) topicError.set(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    }
    const now = Date.now();
    const entries: Parameters<typeof groups.commit>[3] = [];
    const partitionError = new Map<string, number>();
    for (const t of req.topics) {
      if (topicError.has(t.name)) continue;
      const topic = topics.get(t.name);
      for (const p of t.partitions) {
        if (!topic || p.partitionIndex >= topic.partitions.length || p.partitionIndex < 0) {
          partitionError.set(`${t.name}:${p.partitionIndex}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          continue;
        }
        entries.push({
          topic: t.name,
          partition: p.partitionIndex,
          value: { offset: Number(p.committedOffset), leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata, commitTimestamp: now },
        });
      }
    }
    const err = groups.commit(req.groupId, req.generationId, req.memberId, entries);
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: topicError.get(t.name) ?? partitionError.get(`${t.name}:${p.partitionIndex}`) ?? err,
        })),
      })),
    };
  });

  server.registerHandler(OffsetFetch, (ctx, raw) => {
    const req = raw as unknown as OffsetFetchRequest;
    if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
    }
    const entry = (topic: string, partitionIndex: number) => {
      const c = groups.committed(req.groupId, topic, partitionIndex);
      return {
        partitionIndex,
        committedOffset: BigInt(c?.offset ?? -1),
        committedLeaderEpoch: c?.leaderEpoch ?? -1,
        metadata: c ? c.metadata : "",
        errorCode: 0,
      };
    };
    if (req.topics === null) {
      // All of the group's offsets, leaving out topics the caller may not DESCRIBE.
      const out = [];
      for (const [name, parts] of groups.offsets.all(req.groupId)) {
        if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, name)) continue;
        out.push({ name, partitions: [...parts.keys()].sort((a, b) => a - b).map((p) => entry(name, p)) });
      }
      return { throttleTimeMs: 0, errorCode: 0, topics: out };
    }
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      topics: req.topics.map((t) => {
        if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name)) {
          return {
            name: t.name,
            partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: "", errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })),
          };
        }
        return { name: t.name, partitions: t.partitionIndexes.map((p) => entry(t.name, p)) };
      }),
    };
  });

  server.registerHandler(DescribeGroups, (ctx, raw) => {
    const req = raw as { groups: string[] };
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => {
        if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) {
          return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, groupState: "", protocolType: "", protocolData: "", members: [] };
        }
        return { errorCode: 0, groupId, ...groups.describe(groupId) };
      }),
    };
  });

  server.registerHandler(ListGroups, (ctx) => {
    const all = ctx.authorize(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_RESOURCE);
    const list = groups.list().filter((g) => all || ctx.authorize(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId));
    return { throttleTimeMs: 0, errorCode: 0, groups: list };
  });

  server.registerHandler(DeleteGroups, (ctx, raw) => {
    const req = raw as { groupsNames: string[] };
    return {
      throttleTimeMs: 0,
      results: req.groupsNames.map((groupId) => ({
        groupId,
        errorCode: ctx.authorize(AclOperation.DELETE, ResourceType.GROUP, groupId) ? groups.delete(groupId) : ErrorCode.GROUP_AUTHORIZATION_FAILED,
      })),
    };
  });
}

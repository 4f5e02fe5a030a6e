import type { ApiSchema } from "../schema";
import { ApiVersions } from "./api-versions";
import { AlterConfigs, DescribeConfigs } from "./configs";
import { Fetch } from "./fetch";
import { DeleteGroups, DescribeGroups, FindCoordinator, Heartbeat, JoinGroup, LeaveGroup, ListGroups, SyncGroup } from "./groups";
import { ListOffsets } from "./list-offsets";
import { Metadata } from "./metadata";
import { OffsetCommit, OffsetFetch } from "./offsets";
import { Produce } from "./produce";
import { InitProducerId } from "./producer-id";
import { SaslAuthenticate, SaslHandshake } from "./sasl";
import { CreatePartitions, CreateTopics, DeleteRecords, DeleteTopics } from "./topics";

export * from "./api-versions";
export * from "./configs";
export * from "./fetch";
export * from "./groups";
export * from "./list-offsets";
export * from "./metadata";
export * from "./offsets";
export * from "./produce";
export * from "./producer-id";
export * from "./sasl";
export * from "./topics";

/** Every schema declared in this folder, for tests and tooling. */
export const allSchemas: ApiSchema[] = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  SaslHandshake,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DeleteRecords,
  InitProducerId,
  DescribeConfigs,
  AlterConfigs,
  SaslAuthenticate,
  CreatePartitions,
  DeleteGroups,
];

import { arr, type ApiSchema } from "../schema";

/**
 * OffsetCommit (8) and OffsetFetch (9). OffsetFetch is capped at v5 because librdkafka 2.0.2
 * would otherwise pick the flexible v7, and never advertised below v1 (kafkajs has no v0).
 */
export const OffsetCommit: ApiSchema = {
  apiKey: 8,
  name: "OffsetCommit",
  request: {
    validVersions: "0-7",
    flexibleVersions: "8+",
    fields: [
      { name: "groupId", type: "string" },
      { name: "generationId", type: "int32", versions: "1+", default: -1 },
      { name: "memberId", type: "string", versions: "1+" },
      { name: "groupInstanceId", type: "string", versions: "7+", nullable: "7+" },
      { name: "retentionTimeMs", type: "int64", versions: "2-4", default: -1n },
      {
        name: "topics",
        type: arr([
          { name: "name", type: "string" },
          {
            name: "partitions",
            type: arr([
              { name: "partitionIndex", type: "int32" },
              { name: "committedOffset", type: "int64" },
              { name: "committedLeaderEpoch", type: "int32", versions: "6+", default: -1 },
              { name: "commitTimestamp", type: "int64", versions: "1", default: -1n },
              { name: "committedMetadata", type: "string", nullable: "0+" },
            ]),
          },
        ]),
      },
    ],
  },
  response: {
    validVersions: "0-7",
    flexibleVersions: "8+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "3+" },
      {
        name: "topics",
        type: arr([
          { name: "name", type: "string" },
          {
            name: "partitions",
            type: arr([
              { name: "partitionIndex", type: "int32" },
              { name: "errorCode", type: "int16" },
            ]),
          },
        ]),
      },
    ],
  },
};

export const OffsetFetch: ApiSchema = {
  apiKey: 9,
  name: "OffsetFetch",
  request: {
    validVersions: "1-5",
    flexibleVersions: "6+",
    fields: [
      { name: "groupId", type: "string" },
      {
        name: "topics",
        nullable: "2+",
        type: arr([
          { name: "name", type: "string" },
          { name: "partitionIndexes", type: arr("int32") },
        ]),
      },
    ],
  },
  response: {
    validVersions: "1-5",
    flexibleVersions: "6+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "3+" },
      {
        name: "topics",
        type: arr([
          { name: "name", type: "string" },
          {
            name: "partitions",
            type: arr([
              { name: "partitionIndex", type: "int32" },
              { name: "committedOffset", type: "int64" },
              { name: "committedLeaderEpoch", type: "int32", versions: "5+", default: -1 },
              { name: "metadata", type: "string", nullable: "0+" },
              { name: "errorCode", type: "int16" },
            ]),
          },
        ]),
      },
      { name: "errorCode", type: "int16", versions: "2+" },
    ],
  },
};

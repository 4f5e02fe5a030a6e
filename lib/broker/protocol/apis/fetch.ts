import { arr, type ApiSchema } from "../schema";

/**
 * Fetch (1), v4–11. Never v13+: those identify topics by UUID (KIP-516). Fetch sessions
 * (KIP-227, v7+) are answered with session id 0, which tells clients to send full requests.
 */
export const Fetch: ApiSchema = {
  apiKey: 1,
  name: "Fetch",
  request: {
    validVersions: "4-11",
    flexibleVersions: "12+",
    fields: [
      { name: "replicaId", type: "int32" },
      { name: "maxWaitMs", type: "int32" },
      { name: "minBytes", type: "int32" },
      { name: "maxBytes", type: "int32", versions: "3+", default: 0x7fffffff },
      { name: "isolationLevel", type: "int8", versions: "4+" },
      { name: "sessionId", type: "int32", versions: "7+" },
      { name: "sessionEpoch", type: "int32", versions: "7+", default: -1 },
      {
        name: "topics",
        type: arr([
          { name: "topic", type: "string" },
          {
            name: "partitions",
            type: arr([
              { name: "partition", type: "int32" },
              { name: "currentLeaderEpoch", type: "int32", versions: "9+", default: -1 },
              { name: "fetchOffset", type: "int64" },
              { name: "logStartOffset", type: "int64", versions: "5+", default: -1n },
              { name: "partitionMaxBytes", type: "int32" },
            ]),
          },
        ]),
      },
      {
        name: "forgottenTopicsData",
        versions: "7+",
        type: arr([
          { name: "topic", type: "string" },
          { name: "partitions", type: arr("int32") },
        ]),
      },
      { name: "rackId", type: "string", versions: "11+" },
    ],
  },
  response: {
    validVersions: "4-11",
    flexibleVersions: "12+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "1+" },
      { name: "errorCode", type: "int16", versions: "7+" },
      { name: "sessionId", type: "int32", versions: "7+" },
      {
        name: "responses",
        type: arr([
          { name: "topic", type: "string" },
          {
            name: "partitions",
            type: arr([
              { name: "partitionIndex", type: "int32" },
              { name: "errorCode", type: "int16" },
              { name: "highWatermark", type: "int64" },
              { name: "lastStableOffset", type: "int64", versions: "4+", default: -1n },
              { name: "logStartOffset", type: "int64", versions: "5+", default: -1n },
              {
                name: "abortedTransactions",
                versions: "4+",
                nullable: "4+",
                type: arr([
                  { name: "producerId", type: "int64" },
                  { name: "firstOffset", type: "int64" },
                ]),
              },
              { name: "preferredReadReplica", type: "int32", versions: "11+", default: -1 },
              { name: "records", type: "records", nullable: "0+" },
            ]),
          },
        ]),
      },
    ],
  },
};

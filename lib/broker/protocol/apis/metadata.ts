import { arr, type ApiSchema } from "../schema";

/** Metadata (3). v0 treats an empty topic list as "all topics"; v1+ uses null for that. */
export const Metadata: ApiSchema = {
  apiKey: 3,
  name: "Metadata",
  request: {
    validVersions: "0-6",
    flexibleVersions: "9+",
    fields: [
      { name: "topics", type: arr([{ name: "name", type: "string" }]), nullable: "1+" },
      { name: "allowAutoTopicCreation", type: "bool", versions: "4+", default: true },
    ],
  },
  response: {
    validVersions: "0-6",
    flexibleVersions: "9+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "3+" },
      {
        name: "brokers",
        type: arr([
          { name: "nodeId", type: "int32" },
          { name: "host", type: "string" },
          { name: "port", type: "int32" },
          { name: "rack", type: "string", versions: "1+", nullable: "1+" },
        ]),
      },
      { name: "clusterId", type: "string", versions: "2+", nullable: "2+" },
      { name: "controllerId", type: "int32", versions: "1+", default: -1 },
      {
        name: "topics",
        type: arr([
          { name: "errorCode", type: "int16" },
          { name: "name", type: "string" },
          { name: "isInternal", type: "bool", versions: "1+" },
          {
            name: "partitions",
            type: arr([
              { name: "errorCode", type: "int16" },
              { name: "partitionIndex", type: "int32" },
              { name: "leaderId", type: "int32" },
              { name: "leaderEpoch", type: "int32", versions: "7+", default: -1 },
              { name: "replicaNodes", type: arr("int32") },
              { name: "isrNodes", type: arr("int32") },
              { name: "offlineReplicas", type: arr("int32"), versions: "5+" },
            ]),
          },
        ]),
      },
    ],
  },
};

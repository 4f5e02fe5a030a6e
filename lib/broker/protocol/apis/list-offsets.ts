import { arr, type ApiSchema } from "../schema";

/** ListOffsets (2), v1–3. Timestamp −1 = latest (high watermark), −2 = earliest (log start). */
export const ListOffsets: ApiSchema = {
  apiKey: 2,
  name: "ListOffsets",
  request: {
    validVersions: "1-3",
    flexibleVersions: "6+",
    fields: [
      { name: "replicaId", type: "int32" },
      { name: "isolationLevel", type: "int8", versions: "2+" },
      {
        name: "topics",
        type: arr([
          { name: "name", type: "string" },
          {
            name: "partitions",
            type: arr([
              { name: "partitionIndex", type: "int32" },
              { name: "currentLeaderEpoch", type: "int32", versions: "4+", default: -1 },
              { name: "timestamp", type: "int64" },
            ]),
          },
        ]),
      },
    ],
  },
  response: {
    validVersions: "1-3",
    flexibleVersions: "6+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "2+" },
      {
        name: "topics",
        type: arr([
          { name: "name", type: "string" },
          {
            name: "partitions",
            type: arr([
              { name: "partitionIndex", type: "int32" },
              { name: "errorCode", type: "int16" },
              { name: "timestamp", type: "int64", versions: "1+", default: -1n },
              { name: "offset", type: "int64", versions: "1+", default: -1n },
              { name: "leaderEpoch", type: "int32", versions: "4+", default: -1 },
            ]),
          },
        ]),
      },
    ],
  },
};

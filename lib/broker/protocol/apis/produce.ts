import { arr, type ApiSchema } from "../schema";

/** Produce (0), record batch v2 only (v3+). acks=0 requests get no response at all. */
export const Produce: ApiSchema = {
  apiKey: 0,
  name: "Produce",
  request: {
    validVersions: "3-7",
    flexibleVersions: "9+",
    fields: [
      { name: "transactionalId", type: "string", versions: "3+", nullable: "3+" },
      { name: "acks", type: "int16" },
      { name: "timeoutMs", type: "int32" },
      {
        name: "topicData",
        type: arr([
          { name: "name", type: "string" },
          {
            name: "partitionData",
            type: arr([
              { name: "index", type: "int32" },
              { name: "records", type: "records", nullable: "0+" },
            ]),
          },
        ]),
      },
    ],
  },
  response: {
    validVersions: "3-7",
    flexibleVersions: "9+",
    fields: [
      {
        name: "responses",
        type: arr([
          { name: "name", type: "string" },
          {
            name: "partitionResponses",
            type: arr([
              { name: "index", type: "int32" },
              { name: "errorCode", type: "int16" },
              { name: "baseOffset", type: "int64" },
              { name: "logAppendTimeMs", type: "int64", versions: "2+", default: -1n },
              { name: "logStartOffset", type: "int64", versions: "5+", default: -1n },
            ]),
          },
        ]),
      },
      { name: "throttleTimeMs", type: "int32", versions: "1+" },
    ],
  },
};

import type { ApiSchema } from "../schema";

/** InitProducerId (22), v0–1: the idempotent producer's id and epoch (no transactions). */
export const InitProducerId: ApiSchema = {
  apiKey: 22,
  name: "InitProducerId",
  request: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      { name: "transactionalId", type: "string", nullable: "0+" },
      { name: "transactionTimeoutMs", type: "int32" },
    ],
  },
  response: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      { name: "throttleTimeMs", type: "int32" },
      { name: "errorCode", type: "int16" },
      { name: "producerId", type: "int64", default: -1n },
      { name: "producerEpoch", type: "int16" },
    ],
  },
};

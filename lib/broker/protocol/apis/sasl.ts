import type { ApiSchema } from "../schema";

/** SaslHandshake (17) and SaslAuthenticate (36). Handlers belong to lib/broker/security. */
export const SaslHandshake: ApiSchema = {
  apiKey: 17,
  name: "SaslHandshake",
  request: { validVersions: "0-1", flexibleVersions: "none", fields: [{ name: "mechanism", type: "string" }] },
  response: {
    validVersions: "0-1",
    flexibleVersions: "none",
    fields: [
      { name: "errorCode", type: "int16" },
      { name: "mechanisms", type: { array: "string" } },
    ],
  },
};

export const SaslAuthenticate: ApiSchema = {
  apiKey: 36,
  name: "SaslAuthenticate",
  request: { validVersions: "0-1", flexibleVersions: "2+", fields: [{ name: "authBytes", type: "bytes" }] },
  response: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      { name: "errorCode", type: "int16" },
      { name: "errorMessage", type: "string", nullable: "0+" },
      { name: "authBytes", type: "bytes" },
      { name: "sessionLifetimeMs", type: "int64", versions: "1+" },
    ],
  },
};

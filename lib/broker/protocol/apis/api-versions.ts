import { arr, type ApiSchema } from "../schema";

/** ApiVersions (18). v3 is flexible, yet its response keeps header v0 (see headers.ts). */
export const ApiVersions: ApiSchema = {
  apiKey: 18,
  name: "ApiVersions",
  request: {
    validVersions: "0-3",
    flexibleVersions: "3+",
    fields: [
      { name: "clientSoftwareName", type: "string", versions: "3+" },
      { name: "clientSoftwareVersion", type: "string", versions: "3+" },
    ],
  },
  response: {
    validVersions: "0-3",
    flexibleVersions: "3+",
    fields: [
      { name: "errorCode", type: "int16" },
      {
        name: "apiKeys",
        type: arr([
          { name: "apiKey", type: "int16" },
          { name: "minVersion", type: "int16" },
          { name: "maxVersion", type: "int16" },
        ]),
      },
      { name: "throttleTimeMs", type: "int32", versions: "1+" },
    ],
  },
};

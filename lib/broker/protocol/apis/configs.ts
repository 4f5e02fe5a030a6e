import { arr, type ApiSchema } from "../schema";

/** DescribeConfigs (32) and AlterConfigs (33). Resource types: 2 = topic, 4 = broker. */
export const DescribeConfigs: ApiSchema = {
  apiKey: 32,
  name: "DescribeConfigs",
  request: {
    validVersions: "0-2",
    flexibleVersions: "4+",
    fields: [
      {
        name: "resources",
        type: arr([
          { name: "resourceType", type: "int8" },
          { name: "resourceName", type: "string" },
          { name: "configurationKeys", type: arr("string"), nullable: "0+" },
        ]),
      },
      { name: "includeSynonyms", type: "bool", versions: "1+" },
    ],
  },
  response: {
    validVersions: "0-2",
    flexibleVersions: "4+",
    fields: [
      { name: "throttleTimeMs", type: "int32" },
      {
        name: "results",
        type: arr([
          { name: "errorCode", type: "int16" },
          { name: "errorMessage", type: "string", nullable: "0+" },
          { name: "resourceType", type: "int8" },
          { name: "resourceName", type: "string" },
          {
            name: "configs",
            type: arr([
              { name: "name", type: "string" },
              { name: "value", type: "string", nullable: "0+" },
              { name: "readOnly", type: "bool" },
              { name: "isDefault", type: "bool", versions: "0" },
              { name: "configSource", type: "int8", versions: "1+", default: -1 },
              { name: "isSensitive", type: "bool" },
              {
                name: "synonyms",
                versions: "1+",
                type: arr([
                  { name: "name", type: "string" },
                  { name: "value", type: "string", nullable: "0+" },
                  { name: "source", type: "int8" },
                ]),
              },
            ]),
          },
        ]),
      },
    ],
  },
};

export const AlterConfigs: ApiSchema = {
  apiKey: 33,
  name: "AlterConfigs",
  request: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      {
        name: "resources",
        type: arr([
          { name: "resourceType", type: "int8" },
          { name: "resourceName", type: "string" },
          {
            name: "configs",
            type: arr([
              { name: "name", type: "string" },
              { name: "value", type: "string", nullable: "0+" },
            ]),
          },
        ]),
      },
      { name: "validateOnly", type: "bool" },
    ],
  },
  response: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      { name: "throttleTimeMs", type: "int32" },
      {
        name: "responses",
        type: arr([
          { name: "errorCode", type: "int16" },
          { name: "errorMessage", type: "string", nullable: "0+" },
          { name: "resourceType", type: "int8" },
          { name: "resourceName", type: "string" },
        ]),
      },
    ],
  },
};

import { arr, type ApiSchema, type Field } from "../schema";

/**
 * DescribeClientQuotas (48) and AlterClientQuotas (49), KIP-546, versions 0 (non-flexible) and
 * 1 (flexible). The embedded broker does not implement quotas; these schemas serve the client in
 * lib/kafka/quota-admin.ts, which targets Apache Kafka >= 2.6.
 */

const entityFields: Field[] = [
  { name: "entityType", type: "string" },
  { name: "entityName", type: "string", nullable: "0+" },
];

export const DescribeClientQuotas: ApiSchema = {
  apiKey: 48,
  name: "DescribeClientQuotas",
  request: {
    validVersions: "0-1",
    flexibleVersions: "1+",
    fields: [
      {
        name: "components",
        type: arr([
          { name: "entityType", type: "string" },
          { name: "matchType", type: "int8" },
          { name: "match", type: "string", nullable: "0+" },
        ]),
      },
      { name: "strict", type: "bool" },
    ],
  },
  response: {
    validVersions: "0-1",
    flexibleVersions: "1+",
    fields: [
      { name: "throttleTimeMs", type: "int32" },
      { name: "errorCode", type: "int16" },
      { name: "errorMessage", type: "string", nullable: "0+" },
      {
        name: "entries",
        nullable: "0+",
        type: arr([
          { name: "entity", type: arr(entityFields) },
          {
            name: "values",
            type: arr([
              { name: "key", type: "string" },
              { name: "value", type: "float64" },
            ]),
          },
        ]),
      },
    ],
  },
};

export const AlterClientQuotas: ApiSchema = {
  apiKey: 49,
  name: "AlterClientQuotas",
  request: {
    validVersions: "0-1",
    flexibleVersions: "1+",
    fields: [
      {
        name: "entries",
        type: arr([
          { name: "entity", type: arr(entityFields) },
          {
            name: "ops",
            type: arr([
              { name: "key", type: "string" },
              { name: "value", type: "float64" },
              { name: "remove", type: "bool" },
            ]),
          },
        ]),
      },
      { name: "validateOnly", type: "bool" },
    ],
  },
  response: {
    validVersions: "0-1",
    flexibleVersions: "1+",
    fields: [
      { name: "throttleTimeMs", type: "int32" },
      {
        name: "entries",
        type: arr([
          { name: "errorCode", type: "int16" },
          { name: "errorMessage", type: "string", nullable: "0+" },
          { name: "entity", type: arr(entityFields) },
        ]),
      },
    ],
  },
};

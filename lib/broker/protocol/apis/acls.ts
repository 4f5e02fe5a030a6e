import { arr, type ApiSchema, type Field } from "../schema";

/**
 * DescribeAcls (29), CreateAcls (30), DeleteAcls (31), versions 0–1 (kafkajs sends 1, librdkafka
 * up to 1). v0 has no pattern type on the wire: it means LITERAL (3), hence the defaults.
 * Handlers live in lib/broker/handlers/security.ts.
 */

const filterFields: Field[] = [
  { name: "resourceTypeFilter", type: "int8" },
  { name: "resourceNameFilter", type: "string", nullable: "0+" },
  { name: "patternTypeFilter", type: "int8", versions: "1+", default: 3 },
  { name: "principalFilter", type: "string", nullable: "0+" },
  { name: "hostFilter", type: "string", nullable: "0+" },
  { name: "operation", type: "int8" },
  { name: "permissionType", type: "int8" },
];

export const DescribeAcls: ApiSchema = {
  apiKey: 29,
  name: "DescribeAcls",
  request: { validVersions: "0-1", flexibleVersions: "2+", fields: filterFields },
  response: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      { name: "throttleTimeMs", type: "int32" },
      { name: "errorCode", type: "int16" },
      { name: "errorMessage", type: "string", nullable: "0+" },
      {
        name: "resources",
        type: arr([
          { name: "resourceType", type: "int8" },
          { name: "resourceName", type: "string" },
          { name: "patternType", type: "int8", versions: "1+", default: 3 },
          {
            name: "acls",
            type: arr([
              { name: "principal", type: "string" },
              { name: "host", type: "string" },
              { name: "operation", type: "int8" },
              { name: "permissionType", type: "int8" },
            ]),
          },
        ]),
      },
    ],
  },
};

export const CreateAcls: ApiSchema = {
  apiKey: 30,
  name: "CreateAcls",
  request: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      {
        name: "creations",
        type: arr([
          { name: "resourceType", type: "int8" },
          { name: "resourceName", type: "string" },
          { name: "resourcePatternType", type: "int8", versions: "1+", default: 3 },
          { name: "principal", type: "string" },
          { name: "host", type: "string" },
          { name: "operation", type: "int8" },
          { name: "permissionType", type: "int8" },
        ]),
      },
    ],
  },
  response: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      { name: "throttleTimeMs", type: "int32" },
      {
        name: "results",
        type: arr([
          { name: "errorCode", type: "int16" },
          { name: "errorMessage", type: "string", nullable: "0+" },
        ]),
      },
    ],
  },
};

export const DeleteAcls: ApiSchema = {
  apiKey: 31,
  name: "DeleteAcls",
  request: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [{ name: "filters", type: arr(filterFields) }],
  },
  response: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      { name: "throttleTimeMs", type: "int32" },
      {
        name: "filterResults",
        type: arr([
          { name: "errorCode", type: "int16" },
          { name: "errorMessage", type: "string", nullable: "0+" },
          {
            name: "matchingAcls",
            type: arr([
              { name: "errorCode", type: "int16" },
              { name: "errorMessage", type: "string", nullable: "0+" },
              { name: "resourceType", type: "int8" },
              { name: "resourceName", type: "string" },
              { name: "patternType", type: "int8", versions: "1+", default: 3 },
              { name: "principal", type: "string" },
              { name: "host", type: "string" },
              { name: "operation", type: "int8" },
              { name: "permissionType", type: "int8" },
            ]),
          },
        ]),
      },
    ],
  },
};

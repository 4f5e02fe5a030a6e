import { arr, type ApiSchema } from "../schema";

/**
 * DescribeUserScramCredentials (50) and AlterUserScramCredentials (51), KIP-554. Version 0 is
 * already flexible (compact strings, tagged fields, request header v2, response header v1).
 * Mechanism codes: 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512. Shared by the broker handlers and by
 * lib/kafka/scram-admin.ts, which sends the same messages to any Kafka >= 2.7.
 */
export const DescribeUserScramCredentials: ApiSchema = {
  apiKey: 50,
  name: "DescribeUserScramCredentials",
  request: {
    validVersions: "0",
    flexibleVersions: "0+",
    fields: [{ name: "users", type: arr([{ name: "name", type: "string" }]), nullable: "0+" }],
  },
  response: {
    validVersions: "0",
    flexibleVersions: "0+",
    fields: [
      { name: "throttleTimeMs", type: "int32" },
      { name: "errorCode", type: "int16" },
      { name: "errorMessage", type: "string", nullable: "0+" },
      {
        name: "results",
        type: arr([
          { name: "user", type: "string" },
          { name: "errorCode", type: "int16" },
          { name: "errorMessage", type: "string", nullable: "0+" },
          {
            name: "credentialInfos",
            type: arr([
              { name: "mechanism", type: "int8" },
              { name: "iterations", type: "int32" },
            ]),
          },
        ]),
      },
    ],
  },
};

export const AlterUserScramCredentials: ApiSchema = {
  apiKey: 51,
  name: "AlterUserScramCredentials",
  request: {
    validVersions: "0",
    flexibleVersions: "0+",
    fields: [
      {
        name: "deletions",
        type: arr([
          { name: "name", type: "string" },
          { name: "mechanism", type: "int8" },
        ]),
      },
      {
        name: "upsertions",
        type: arr([
          { name: "name", type: "string" },
          { name: "mechanism", type: "int8" },
          { name: "iterations", type: "int32" },
          { name: "salt", type: "bytes" },
          { name: "saltedPassword", type: "bytes" },
        ]),
      },
    ],
  },
  response: {
    validVersions: "0",
    flexibleVersions: "0+",
    fields: [
      { name: "throttleTimeMs", type: "int32" },
      {
        name: "results",
        type: arr([
          { name: "user", type: "string" },
          { name: "errorCode", type: "int16" },
          { name: "errorMessage", type: "string", nullable: "0+" },
        ]),
      },
    ],
  },
};

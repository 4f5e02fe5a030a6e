import { arr, type ApiSchema } from "../schema";

/** Topic administration: CreateTopics (19), DeleteTopics (20), DeleteRecords (21), CreatePartitions (37). */
export const CreateTopics: ApiSchema = {
  apiKey: 19,
  name: "CreateTopics",
  request: {
    validVersions: "0-4",
    flexibleVersions: "5+",
    fields: [
      {
        name: "topics",
        type: arr([
          { name: "name", type: "string" },
          { name: "numPartitions", type: "int32" },
          { name: "replicationFactor", type: "int16" },
          {
            name: "assignments",
            type: arr([
              { name: "partitionIndex", type: "int32" },
              { name: "brokerIds", type: arr("int32") },
            ]),
          },
          {
            name: "configs",
            type: arr([
              { name: "name", type: "string" },
              { name: "value", type: "string", nullable: "0+" },
            ]),
          },
        ]),
      },
      { name: "timeoutMs", type: "int32" },
      { name: "validateOnly", type: "bool", versions: "1+" },
    ],
  },
  response: {
    validVersions: "0-4",
    flexibleVersions: "5+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "2+" },
      {
        name: "topics",
        type: arr([
          { name: "name", type: "string" },
          { name: "errorCode", type: "int16" },
          { name: "errorMessage", type: "string", versions: "1+", nullable: "0+" },
        ]),
      },
    ],
  },
};

export const DeleteTopics: ApiSchema = {
  apiKey: 20,
  name: "DeleteTopics",
  request: {
    validVersions: "0-3",
    flexibleVersions: "4+",
    fields: [
      { name: "topicNames", type: arr("string") },
      { name: "timeoutMs", type: "int32" },
    ],
  },
  response: {
    validVersions: "0-3",
    flexibleVersions: "4+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "1+" },
      {
        name: "responses",
        type: arr([
          { name: "name", type: "string" },
          { name: "errorCode", type: "int16" },
        ]),
      },
    ],
  },
};

export const DeleteRecords: ApiSchema = {
  apiKey: 21,
  name: "DeleteRecords",
  request: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      {
        name: "topics",
        type: arr([
          { name: "name", type: "string" },
          {
            name: "partitions",
            type: arr([
              { name: "partitionIndex", type: "int32" },
              { name: "offset", type: "int64" },
            ]),
          },
        ]),
      },
      { name: "timeoutMs", type: "int32" },
    ],
  },
  response: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      { name: "throttleTimeMs", type: "int32" },
      {
        name: "topics",
        type: arr([
          { name: "name", type: "string" },
          {
            name: "partitions",
            type: arr([
              { name: "partitionIndex", type: "int32" },
              { name: "lowWatermark", type: "int64" },
              { name: "errorCode", type: "int16" },
            ]),
          },
        ]),
      },
    ],
  },
};

export const CreatePartitions: ApiSchema = {
  apiKey: 37,
  name: "CreatePartitions",
  request: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      {
        name: "topics",
        type: arr([
          { name: "name", type: "string" },
          { name: "count", type: "int32" },
          { name: "assignments", nullable: "0+", type: arr([{ name: "brokerIds", type: arr("int32") }]) },
        ]),
      },
      { name: "timeoutMs", type: "int32" },
      { name: "validateOnly", type: "bool" },
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
          { name: "name", type: "string" },
          { name: "errorCode", type: "int16" },
          { name: "errorMessage", type: "string", nullable: "0+" },
        ]),
      },
    ],
  },
};

import { arr, type ApiSchema } from "../schema";

/** Group coordination: FindCoordinator (10), JoinGroup (11), Heartbeat (12), LeaveGroup (13), SyncGroup (14). */
export const FindCoordinator: ApiSchema = {
  apiKey: 10,
  name: "FindCoordinator",
  request: {
    validVersions: "0-2",
    flexibleVersions: "3+",
    fields: [
      { name: "key", type: "string" },
      { name: "keyType", type: "int8", versions: "1+" },
    ],
  },
  response: {
    validVersions: "0-2",
    flexibleVersions: "3+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "1+" },
      { name: "errorCode", type: "int16" },
      { name: "errorMessage", type: "string", versions: "1+", nullable: "1+" },
      { name: "nodeId", type: "int32" },
      { name: "host", type: "string" },
      { name: "port", type: "int32" },
    ],
  },
};

export const JoinGroup: ApiSchema = {
  apiKey: 11,
  name: "JoinGroup",
  request: {
    validVersions: "0-5",
    flexibleVersions: "6+",
    fields: [
      { name: "groupId", type: "string" },
      { name: "sessionTimeoutMs", type: "int32" },
      { name: "rebalanceTimeoutMs", type: "int32", versions: "1+", default: -1 },
      { name: "memberId", type: "string" },
      { name: "groupInstanceId", type: "string", versions: "5+", nullable: "5+" },
      { name: "protocolType", type: "string" },
      {
        name: "protocols",
        type: arr([
          { name: "name", type: "string" },
          { name: "metadata", type: "bytes" },
        ]),
      },
    ],
  },
  response: {
    validVersions: "0-5",
    flexibleVersions: "6+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "2+" },
      { name: "errorCode", type: "int16" },
      { name: "generationId", type: "int32", default: -1 },
      { name: "protocolName", type: "string" },
      { name: "leader", type: "string" },
      { name: "memberId", type: "string" },
      {
        name: "members",
        type: arr([
          { name: "memberId", type: "string" },
          { name: "groupInstanceId", type: "string", versions: "5+", nullable: "5+" },
          { name: "metadata", type: "bytes" },
        ]),
      },
    ],
  },
};

export const Heartbeat: ApiSchema = {
  apiKey: 12,
  name: "Heartbeat",
  request: {
    validVersions: "0-3",
    flexibleVersions: "4+",
    fields: [
      { name: "groupId", type: "string" },
      { name: "generationId", type: "int32" },
      { name: "memberId", type: "string" },
      { name: "groupInstanceId", type: "string", versions: "3+", nullable: "3+" },
    ],
  },
  response: {
    validVersions: "0-3",
    flexibleVersions: "4+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "1+" },
      { name: "errorCode", type: "int16" },
    ],
  },
};

export const LeaveGroup: ApiSchema = {
  apiKey: 13,
  name: "LeaveGroup",
  request: {
    validVersions: "0-3",
    flexibleVersions: "4+",
    fields: [
      { name: "groupId", type: "string" },
      { name: "memberId", type: "string", versions: "0-2" },
      {
        name: "members",
        versions: "3+",
        type: arr([
          { name: "memberId", type: "string" },
          { name: "groupInstanceId", type: "string", nullable: "0+" },
        ]),
      },
    ],
  },
  response: {
    validVersions: "0-3",
    flexibleVersions: "4+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "1+" },
      { name: "errorCode", type: "int16" },
      {
        name: "members",
        versions: "3+",
        type: arr([
          { name: "memberId", type: "string" },
          { name: "groupInstanceId", type: "string", nullable: "0+" },
          { name: "errorCode", type: "int16" },
        ]),
      },
    ],
  },
};

export const SyncGroup: ApiSchema = {
  apiKey: 14,
  name: "SyncGroup",
  request: {
    validVersions: "0-3",
    flexibleVersions: "4+",
    fields: [
      { name: "groupId", type: "string" },
      { name: "generationId", type: "int32" },
      { name: "memberId", type: "string" },
      { name: "groupInstanceId", type: "string", versions: "3+", nullable: "3+" },
      {
        name: "assignments",
        type: arr([
          { name: "memberId", type: "string" },
          { name: "assignment", type: "bytes" },
        ]),
      },
    ],
  },
  response: {
    validVersions: "0-3",
    flexibleVersions: "4+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "1+" },
      { name: "errorCode", type: "int16" },
      { name: "assignment", type: "bytes" },
    ],
  },
};

/** Group listing and removal: DescribeGroups (15), ListGroups (16), DeleteGroups (42). */
export const DescribeGroups: ApiSchema = {
  apiKey: 15,
  name: "DescribeGroups",
  request: {
    validVersions: "0-4",
    flexibleVersions: "5+",
    fields: [
      { name: "groups", type: arr("string") },
      { name: "includeAuthorizedOperations", type: "bool", versions: "3+" },
    ],
  },
  response: {
    validVersions: "0-4",
    flexibleVersions: "5+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "1+" },
      {
        name: "groups",
        type: arr([
          { name: "errorCode", type: "int16" },
          { name: "groupId", type: "string" },
          { name: "groupState", type: "string" },
          { name: "protocolType", type: "string" },
          { name: "protocolData", type: "string" },
          {
            name: "members",
            type: arr([
              { name: "memberId", type: "string" },
              { name: "groupInstanceId", type: "string", versions: "4+", nullable: "4+" },
              { name: "clientId", type: "string" },
              { name: "clientHost", type: "string" },
              { name: "memberMetadata", type: "bytes" },
              { name: "memberAssignment", type: "bytes" },
            ]),
          },
          { name: "authorizedOperations", type: "int32", versions: "3+", default: -2147483648 },
        ]),
      },
    ],
  },
};

export const ListGroups: ApiSchema = {
  apiKey: 16,
  name: "ListGroups",
  request: { validVersions: "0-2", flexibleVersions: "3+", fields: [] },
  response: {
    validVersions: "0-2",
    flexibleVersions: "3+",
    fields: [
      { name: "throttleTimeMs", type: "int32", versions: "1+" },
      { name: "errorCode", type: "int16" },
      {
        name: "groups",
        type: arr([
          { name: "groupId", type: "string" },
          { name: "protocolType", type: "string" },
        ]),
      },
    ],
  },
};

export const DeleteGroups: ApiSchema = {
  apiKey: 42,
  name: "DeleteGroups",
  request: { validVersions: "0-1", flexibleVersions: "2+", fields: [{ name: "groupsNames", type: arr("string") }] },
  response: {
    validVersions: "0-1",
    flexibleVersions: "2+",
    fields: [
      { name: "throttleTimeMs", type: "int32" },
      {
        name: "results",
        type: arr([
          { name: "groupId", type: "string" },
          { name: "errorCode", type: "int16" },
        ]),
      },
    ],
  },
};

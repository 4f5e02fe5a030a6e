/**
 * Authorization seam. The broker's handlers call `ctx.authorize(operation, resourceType, name)`
 * with Kafka's exact operation per API; the decision is made by a pluggable `Authorizer`. The
 * default allows everything (plaintext, no ACLs); lib/broker/security installs the ACL one.
 * Codes match Kafka's AclOperation / ResourceType so they can go on the wire unchanged.
 */
export const AclOperation = {
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation];

export const ResourceType = {
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
} as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

/** The one cluster resource name Kafka uses. */
export const CLUSTER_RESOURCE = "kafka-cluster";

export const ANONYMOUS = "User:ANONYMOUS";

export interface AuthorizeRequest {
  /** "User:<name>", or User:ANONYMOUS before/without SASL. */
  principal: string;
  /** Client IP address as seen by the broker. */
  host: string;
  operation: AclOperation;
  resourceType: ResourceType;
  resourceName: string;
}

export interface Authorizer {
  /** Must be synchronous and cheap: it is called per topic/partition on the hot path. */
  authorize(req: AuthorizeRequest): boolean;
}

export const allowAllAuthorizer: Authorizer = { authorize: () => true };

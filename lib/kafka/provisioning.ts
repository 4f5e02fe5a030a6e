import kafkajs, { type Admin, type AclEntry } from "kafkajs";
import { createKafka, kafkaConnectionFromEnv, type KafkaConnectionOptions } from "./client";
import { ScramAdminClient, type ScramMechanism } from "./scram-admin";

// kafkajs is CommonJS and Node's ESM loader (tsx, the workers) cannot see these named exports
// past its `logLevel: LEVELS` entry; the default import works under both Node and vitest.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/**
 * Credential and ACL provisioning behind one interface, so targets that do not manage users
 * through the Kafka protocol (Confluent Cloud API keys, MSK secrets, Redpanda's admin API) can
 * get their own implementation. Every method is idempotent: the provisioner worker may run a
 * job twice.
 */

export type ProvisionedMechanism = "scram-sha-256" | "scram-sha-512";

/** What one subscription may do: READ+DESCRIBE on its topic, READ on its group prefix. Nothing else. */
export interface SubscriptionGrant {
  /** "User:<name>" */
  principal: string;
  /** Literal topic name. */
  topic: string;
  /** Consumer groups whose names start with this. */
  groupPrefix: string;
}

export type AclResourceKind = "topic" | "group" | "cluster" | "transactional_id" | "delegation_token" | "unknown";
export type AclPatternKind = "literal" | "prefixed" | "unknown";

export interface AclRule {
  resourceType: AclResourceKind;
  resourceName: string;
  patternType: AclPatternKind;
  /** Kafka operation name, lower case: "read", "describe", "all", ... */
  operation: string;
  permission: "allow" | "deny";
  host: string;
}

export interface PrincipalAccess {
  principal: string;
  /** SCRAM mechanisms with a credential (empty for principals that only appear in ACLs). */
  scramMechanisms: ProvisionedMechanism[];
  acls: AclRule[];
}

export interface KafkaAccessProvisioner {
  /** Which implementation, for logs and the admin UI ("kafka-protocol", "confluent-cloud", ...). */
  readonly kind: string;
  /** Creates or replaces the user's credential for that mechanism (the password is salted client-side). */
  upsertScramUser(username: string, password: string, mechanism: ProvisionedMechanism): Promise<void>;
  /** Removes every credential of the user; its live connections are cut off by the cluster. */
  deleteScramUser(username: string): Promise<void>;
  grantSubscriptionAcls(grant: SubscriptionGrant): Promise<void>;
  revokeSubscriptionAcls(grant: SubscriptionGrant): Promise<void>;
  /**
   * Deletes exactly these bindings of the principal, whatever their shape (resource type, pattern,
   * operation, ALLOW or DENY, host), as listed by `listPrincipalsAndAcls`. Returns how many the
   * cluster removed (0 for bindings already gone).
   */
  deleteAcls(principal: string, acls: readonly AclRule[]): Promise<number>;
  /** Deletes every binding that names the principal, of any shape. Returns how many went. */
  deleteAllAcls(principal: string): Promise<number>;
  /** Everything the cluster knows, for reconciliation against the database. */
  listPrincipalsAndAcls(): Promise<PrincipalAccess[]>;
  close(): Promise<void>;
}

/** The exact bindings a subscription gets; grant and revoke both derive from this one list. */
export function subscriptionAclEntries(grant: SubscriptionGrant): AclEntry[] {
  if (!grant.principal.startsWith("User:")) throw new Error(`Invalid principal ${grant.principal}`);
  if (!grant.topic || !grant.groupPrefix) throw new Error("A subscription grant needs a topic and a group prefix");
  const base = { principal: grant.principal, host: "*", permissionType: AclPermissionTypes.ALLOW };
  return [
    {
      ...base,
      resourceType: AclResourceTypes.TOPIC,
      resourceName: grant.topic,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      operation: AclOperationTypes.READ,
    },
    {
      ...base,
      resourceType: AclResourceTypes.TOPIC,
      resourceName: grant.topic,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      operation: AclOperationTypes.DESCRIBE,
    },
    {
      ...base,
      resourceType: AclResourceTypes.GROUP,
      resourceName: grant.groupPrefix,
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      operation: AclOperationTypes.READ,
    },
  ];
}

/** kafkajs's enums are plain name -> code objects at run time (no reverse mapping). */
function enumName(e: object, v: number): string {
  const hit = Object.entries(e).find(([, code]) => code === v);
  return hit ? hit[0].toLowerCase() : "unknown";
}

/** The inverse of enumName: "describe_configs" -> DESCRIBE_CONFIGS's code. */
function enumCode(e: object, name: string, what: string): number {
  const code = (e as Record<string, number | undefined>)[name.toUpperCase()];
  if (code === undefined || name === "unknown" || name === "any") throw new Error(`Cannot name a concrete ACL ${what} "${name}"`);
  return code;
}

/** A listed rule as an exact DeleteAcls filter: it matches that one binding and nothing else. */
function exactFilter(principal: string, acl: AclRule) {
  return {
    principal,
    host: acl.host,
    resourceType: enumCode(AclResourceTypes, acl.resourceType, "resource type"),
    resourceName: acl.resourceName,
    resourcePatternType: enumCode(ResourcePatternTypes, acl.patternType, "pattern type"),
    operation: enumCode(AclOperationTypes, acl.operation, "operation"),
    permissionType: acl.permission === "deny" ? AclPermissionTypes.DENY : AclPermissionTypes.ALLOW,
  };
}

const MECHANISM: Record<ProvisionedMechanism, ScramMechanism> = {
  "scram-sha-256": "SCRAM-SHA-256",
  "scram-sha-512": "SCRAM-SHA-512",
};

/** Apache Kafka >= 2.7 (and the embedded broker): kafkajs for ACLs, APIs 50/51 for SCRAM users. */
export class KafkaProtocolProvisioner implements KafkaAccessProvisioner {
  readonly kind = "kafka-protocol";
  private admin: Promise<Admin> | null = null;
  private scram: Promise<ScramAdminClient> | null = null;

  constructor(
    private readonly connection: KafkaConnectionOptions = kafkaConnectionFromEnv(),
    /** kafkajs's own retries per admin call (its default when unset); the job queue retries too. */
    private readonly opts: { retries?: number } = {},
  ) {}

  private getAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = createKafka({ clientId: "tributary-provisioner", connection: this.connection, logLevel: "nothing", retries: this.opts.retries }).admin();
      await admin.connect();
      return admin;
    })().catch((err) => {
      this.admin = null;
      throw err;
    });
    return this.admin;
  }

  /**
   * One SCRAM admin connection, reopened when the cluster closed it (idle timeout, restart).
   */
  private async withScram<T>(fn: (c: ScramAdminClient) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.scram ??= ScramAdminClient.connect({ connection: this.connection }).catch((err) => {
        this.scram = null;
        throw err;
      });
      const client = await this.scram;
      try {
        return await fn(client);
      } catch (err) {
        const closed = /Connection closed/.test((err as Error).message);
        if (!closed || attempt > 0) throw err;
        client.close();
        this.scram = null;
      }
    }
  }

  async upsertScramUser(username: string, password: string, mechanism: ProvisionedMechanism): Promise<void> {
    await this.withScram((c) => c.upsertUser(username, password, MECHANISM[mechanism]));
  }

  async deleteScramUser(username: string): Promise<void> {
    await this.withScram((c) => c.deleteUser(username));
  }

  async grantSubscriptionAcls(grant: SubscriptionGrant): Promise<void> {
    const admin = await this.getAdmin();
    await admin.createAcls({ acl: subscriptionAclEntries(grant) });
  }

  async revokeSubscriptionAcls(grant: SubscriptionGrant): Promise<void> {
    const admin = await this.getAdmin();
    const res = await admin.deleteAcls({ filters: subscriptionAclEntries(grant) });
    const failed = res.filterResponses.find((r) => r.errorCode !== 0);
    if (failed) throw new Error(`Revoking ACLs of ${grant.principal} failed: ${failed.errorMessage ?? failed.errorCode}`);
  }

  async deleteAcls(principal: string, acls: readonly AclRule[]): Promise<number> {
    if (acls.length === 0) return 0;
    return this.deleteMatching(principal, acls.map((a) => exactFilter(principal, a)));
  }

  async deleteAllAcls(principal: string): Promise<number> {
    // Null resource name and host match anything; ANY matches every type, pattern and permission.
    return this.deleteMatching(principal, [
      {
        principal,
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      },
    ]);
  }

  private async deleteMatching(principal: string, filters: Parameters<Admin["deleteAcls"]>[0]["filters"]): Promise<number> {
    const admin = await this.getAdmin();
    const res = await admin.deleteAcls({ filters });
    const failed = res.filterResponses.find((r) => r.errorCode !== 0);
    if (failed) throw new Error(`Deleting ACLs of ${principal} failed: ${failed.errorMessage ?? failed.errorCode}`);
    return res.filterResponses.reduce((n, r) => n + r.matchingAcls.length, 0);
  }

  async listPrincipalsAndAcls(): Promise<PrincipalAccess[]> {
    const admin = await this.getAdmin();
    const described = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const byPrincipal = new Map<string, PrincipalAccess>();
    const entry = (principal: string) => {
      let e = byPrincipal.get(principal);
      if (!e) {
        e = { principal, scramMechanisms: [], acls: [] };
        byPrincipal.set(principal, e);
      }
      return e;
    };
    for (const r of described.resources) {
      for (const a of r.acls) {
        entry(a.principal).acls.push({
          resourceType: enumName(AclResourceTypes, r.resourceType) as AclResourceKind,
          resourceName: r.resourceName,
          patternType: enumName(ResourcePatternTypes, r.resourcePatternType) as AclPatternKind,
          operation: enumName(AclOperationTypes, a.operation),
          permission: a.permissionType === AclPermissionTypes.DENY ? "deny" : "allow",
          host: a.host,
        });
      }
    }
    const users = await this.withScram((c) => c.describe());
    for (const u of users) {
      if (u.errorCode !== 0) continue;
      entry(`User:${u.user}`).scramMechanisms = u.credentials.map(
        (c) => (c.mechanism === "SCRAM-SHA-256" ? "scram-sha-256" : "scram-sha-512") as ProvisionedMechanism,
      );
    }
    return [...byPrincipal.values()].sort((a, b) => a.principal.localeCompare(b.principal));
  }

  async close(): Promise<void> {
    const admin = this.admin;
    const scram = this.scram;
    this.admin = null;
    this.scram = null;
    if (admin) await (await admin.catch(() => null))?.disconnect();
    if (scram) (await scram.catch(() => null))?.close();
  }
}

/** The provisioner for the configured cluster (today always the Kafka-protocol one). */
export function createProvisioner(connection?: KafkaConnectionOptions, opts?: { retries?: number }): KafkaAccessProvisioner {
  return new KafkaProtocolProvisioner(connection, opts);
}

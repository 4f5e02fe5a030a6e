import { AclOperation, CLUSTER_RESOURCE, ResourceType } from "../authz";
import { ErrorCode } from "../protocol/errors";
import type { Body, Connection } from "../server";
import { AclFilterError, type AclBinding, type AclBindingFilter, type AclStore } from "./acl";
import type { CredentialStore } from "./credentials";
import {
  credentialFromSaltedPassword,
  MAX_ITERATIONS,
  MIN_ITERATIONS,
  SCRAM_MECHANISM_CODES,
  scramMechanismFromCode,
  type ScramCredential,
  type ScramMechanism,
} from "./scram";

/**
 * Create/Describe/DeleteAcls (30/29/31) and Describe/AlterUserScramCredentials (50/51), with
 * Kafka's authorization: ACL changes need ALTER on the cluster, DescribeAcls DESCRIBE; the SCRAM
 * APIs DESCRIBE / ALTER on the cluster.
 */

/** KIP-554 error codes (not used elsewhere in the broker). */
const RESOURCE_NOT_FOUND = 91;
const DUPLICATE_RESOURCE = 92;
const UNACCEPTABLE_CREDENTIAL = 93;

const HASH_LENGTH: Record<ScramMechanism, number> = { "SCRAM-SHA-256": 32, "SCRAM-SHA-512": 64 };

function clusterAllowed(ctx: Connection, operation: number): boolean {
  return ctx.authorize(operation as AclOperation, ResourceType.CLUSTER, CLUSTER_RESOURCE);
}

type Rec = Record<string, unknown>;

function toFilter(f: Rec): AclBindingFilter {
  return {
    resourceType: f.resourceTypeFilter as number,
    resourceName: f.resourceNameFilter as string | null,
    patternType: f.patternTypeFilter as number,
    principal: f.principalFilter as string | null,
    host: f.hostFilter as string | null,
    operation: f.operation as number,
    permissionType: f.permissionType as number,
  };
}

/** DescribeAcls groups bindings by resource pattern. */
function groupByResource(bindings: AclBinding[]): Body[] {
  const groups = new Map<string, Body & { acls: Body[] }>();
  for (const b of bindings) {
    const key = JSON.stringify([b.resourceType, b.resourceName, b.patternType]);
    let g = groups.get(key);
    if (!g) {
      g = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] };
      groups.set(key, g);
    }
    g.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
  }
  return [...groups.values()];
}

export function createAclHandlers(store: AclStore) {
  function createAcls(ctx: Connection, body: Body): Body {
    const creations = (body.creations as Rec[]) ?? [];
    if (!clusterAllowed(ctx, AclOperation.ALTER)) {
      return {
        throttleTimeMs: 0,
        results: creations.map(() => ({
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: "Cluster authorization failed",
        })),
      };
    }
    const bindings: AclBinding[] = creations.map((c) => ({
      resourceType: c.resourceType as number,
      resourceName: c.resourceName as string,
      patternType: c.resourcePatternType as number,
      principal: c.principal as string,
      host: c.host as string,
      operation: c.operation as number,
      permissionType: c.permissionType as number,
    }));
    return { throttleTimeMs: 0, results: store.create(bindings) };
  }

  function describeAcls(ctx: Connection, body: Body): Body {
    if (!clusterAllowed(ctx, AclOperation.DESCRIBE)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: "Cluster authorization failed",
        resources: [],
      };
    }
    try {
      const bindings = store.describe(toFilter(body));
      return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, resources: groupByResource(bindings) };
    } catch (err) {
      if (!(err instanceof AclFilterError)) throw err;
      return { throttleTimeMs: 0, errorCode: err.errorCode, errorMessage: err.message, resources: [] };
    }
  }

  function deleteAcls(ctx: Connection, body: Body): Body {
    const filters = (body.filters as Rec[]) ?? [];
    if (!clusterAllowed(ctx, AclOperation.ALTER)) {
      return {
        throttleTimeMs: 0,
        filterResults: filters.map(() => ({
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: "Cluster authorization failed",
          matchingAcls: [],
        })),
      };
    }
    const results = store.delete(filters.map(toFilter));
    return {
      throttleTimeMs: 0,
      filterResults: results.map((r) => ({
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        matchingAcls: r.matching.map((b) => ({ errorCode: 0, errorMessage: null, ...b })),
      })),
    };
  }

  return { createAcls, describeAcls, deleteAcls };
}

export function createScramHandlers(credentials: CredentialStore) {
  function describe(ctx: Connection, body: Body): Body {
    if (!clusterAllowed(ctx, AclOperation.DESCRIBE)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: "Cluster authorization failed",
        results: [],
      };
    }
    const users = body.users as Rec[] | null;
    const info = (user: string) =>
      (credentials.describe(user) ?? []).map((c) => ({ mechanism: SCRAM_MECHANISM_CODES[c.mechanism], iterations: c.iterations }));
    // A null or empty list means every user with credentials (Kafka's semantics).
    if (!users || users.length === 0) {
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        results: credentials.listUsers().map((user) => ({ user, errorCode: 0, errorMessage: null, credentialInfos: info(user) })),
      };
    }
    const names = users.map((u) => u.name as string);
    const counts = new Map<string, number>();
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
    const seen = new Set<string>();
    const results: Body[] = [];
    for (const user of names) {
      if (seen.has(user)) continue;
      seen.add(user);
      if ((counts.get(user) ?? 0) > 1) {
        results.push({ user, errorCode: DUPLICATE_RESOURCE, errorMessage: "Cannot describe SCRAM credentials for the same user twice in a single request", credentialInfos: [] });
      } else if (!credentials.has(user)) {
        results.push({ user, errorCode: RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] });
      } else {
        results.push({ user, errorCode: 0, errorMessage: null, credentialInfos: info(user) });
      }
    }
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, results };
  }

  function alter(ctx: Connection, body: Body): Body {
    const deletions = ((body.deletions as Rec[]) ?? []).map((d) => ({
      user: d.name as string,
      mechanismCode: d.mechanism as number,
    }));
    const upsertions = ((body.upsertions as Rec[]) ?? []).map((u) => ({
      user: u.name as string,
      mechanismCode: u.mechanism as number,
      iterations: u.iterations as number,
      salt: u.salt as Buffer,
      saltedPassword: u.saltedPassword as Buffer,
    }));
    const allUsers = [...new Set([...deletions.map((d) => d.user), ...upsertions.map((u) => u.user)])];
    if (!clusterAllowed(ctx, AclOperation.ALTER)) {
      return {
        throttleTimeMs: 0,
        results: allUsers.map((user) => ({
          user,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: "Cluster authorization failed",
        })),
      };
    }

    // Per user: the first problem found fails every change for that user (Kafka validates per user).
    const errors = new Map<string, { errorCode: number; errorMessage: string }>();
    const failUser = (user: string, errorCode: number, errorMessage: string) => {
      if (!errors.has(user)) errors.set(user, { errorCode, errorMessage });
    };
    const seenPairs = new Set<string>();
    for (const c of [...deletions, ...upsertions]) {
      const pair = `${c.user}\0${c.mechanismCode}`;
      if (seenPairs.has(pair)) {
        failUser(c.user, DUPLICATE_RESOURCE, "A user credential cannot be altered twice in the same request");
      }
      seenPairs.add(pair);
      if (c.user === "") failUser(c.user, UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
      if (!scramMechanismFromCode(c.mechanismCode)) {
        failUser(c.user, ErrorCode.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
      }
    }
    for (const d of deletions) {
      const mechanism = scramMechanismFromCode(d.mechanismCode);
      if (mechanism && !credentials.get(d.user, mechanism)) {
        failUser(d.user, RESOURCE_NOT_FOUND, "Attempt to delete a user credential that does not exist");
      }
    }
    const accepted: { username: string; mechanism: ScramMechanism; credential: ScramCredential }[] = [];
    for (const u of upsertions) {
      const mechanism = scramMechanismFromCode(u.mechanismCode);
      if (!mechanism) continue;
      if (u.iterations < MIN_ITERATIONS) failUser(u.user, UNACCEPTABLE_CREDENTIAL, "Too few iterations");
      else if (u.iterations > MAX_ITERATIONS) failUser(u.user, UNACCEPTABLE_CREDENTIAL, "Too many iterations");
      else if (!u.salt || u.salt.length === 0) failUser(u.user, UNACCEPTABLE_CREDENTIAL, "Salt must not be empty");
      else if (!u.saltedPassword || u.saltedPassword.length !== HASH_LENGTH[mechanism]) {
        failUser(u.user, UNACCEPTABLE_CREDENTIAL, "Salted password has the wrong length for the mechanism");
      } else {
        accepted.push({
          username: u.user,
          mechanism,
          credential: credentialFromSaltedPassword(mechanism, u.salt, u.iterations, u.saltedPassword),
        });
      }
    }
    credentials.apply({
      deletions: deletions
        .filter((d) => !errors.has(d.user))
        .map((d) => ({ username: d.user, mechanism: scramMechanismFromCode(d.mechanismCode)! })),
      upserts: accepted.filter((a) => !errors.has(a.username)),
    });
    return {
      throttleTimeMs: 0,
      results: allUsers.map((user) => {
        const e = errors.get(user);
        return { user, errorCode: e?.errorCode ?? 0, errorMessage: e?.errorMessage ?? null };
      }),
    };
  }

  return { describe, alter };
}

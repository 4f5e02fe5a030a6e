import path from "node:path";
import { z } from "zod";
import { readJson, writeJsonAtomic } from "./persist";

/**
 * ACL store and authorizer with Apache Kafka's semantics (research notes §7; apache/kafka
 * AclAuthorizer / StandardAuthorizerData, ResourcePatternFilter, AccessControlEntryFilter).
 * Codes are the wire codes (kafkajs's aclResourceTypes / aclOperationTypes / ...).
 */

export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;
export type ResourceTypeCode = (typeof ResourceType)[keyof typeof ResourceType];

export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;

export const AclOperation = {
  UNKNOWN: 0,
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
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;
export type AclOperationName = Exclude<keyof typeof AclOperation, "UNKNOWN" | "ANY">;

export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

export const CLUSTER_RESOURCE_NAME = "kafka-cluster";
export const WILDCARD = "*";
export const WILDCARD_PRINCIPAL = "User:*";

/** Kafka error codes this module produces. */
const INVALID_REQUEST = 42;

export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface AclBindingFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

/** Operations an ACL may name per resource type (Kafka's AclEntry.supportedOperations), plus ALL. */
const SUPPORTED_OPERATIONS: Record<number, number[]> = {
  [ResourceType.TOPIC]: [
    AclOperation.READ,
    AclOperation.WRITE,
    AclOperation.CREATE,
    AclOperation.DESCRIBE,
    AclOperation.DELETE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
  ],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE],
  [ResourceType.CLUSTER]: [
    AclOperation.CREATE,
    AclOperation.CLUSTER_ACTION,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE,
  ],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
  [ResourceType.DELEGATION_TOKEN]: [AclOperation.DESCRIBE],
  [ResourceType.USER]: [AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS],
};

/** An ALLOW on any of these operations also allows the key (Kafka's implied DESCRIBE rules). */
const IMPLIED_BY: Record<number, number[]> = {
  [AclOperation.DESCRIBE]: [AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  [AclOperation.DESCRIBE_CONFIGS]: [AclOperation.ALTER_CONFIGS],
};

export function isValidPrincipal(principal: string): boolean {
  const i = principal.indexOf(":");
  return i > 0 && i < principal.length - 1;
}

/** Why a binding cannot be created, or null. Mirrors Kafka's checks; all map to INVALID_REQUEST. */
export function validateAclBinding(b: AclBinding): string | null {
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) {
    return `Invalid pattern type ${b.patternType}: only LITERAL and PREFIXED can be created`;
  }
  const supported = SUPPORTED_OPERATIONS[b.resourceType];
  if (!supported) return `Invalid resource type ${b.resourceType}`;
  if (b.operation !== AclOperation.ALL && !supported.includes(b.operation)) {
    return `ACL operation ${b.operation} is not supported for resource type ${b.resourceType}`;
  }
  if (b.permissionType !== AclPermission.ALLOW && b.permissionType !== AclPermission.DENY) {
    return `Invalid permission type ${b.permissionType}`;
  }
  if (b.resourceName === "") return "Resource name should not be empty";
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_RESOURCE_NAME) {
    return `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`;
  }
  if (!isValidPrincipal(b.principal)) return `Invalid principal ${b.principal}`;
  if (b.host === "") return "Host should not be empty";
  return null;
}

/** Why a Describe/DeleteAcls filter is rejected, or null (Kafka's findIndefiniteField). */
export function validateAclFilter(f: AclBindingFilter): string | null {
  if (f.resourceType === ResourceType.UNKNOWN) return "The filter has an UNKNOWN resource type";
  if (f.patternType === PatternType.UNKNOWN) return "The filter has an UNKNOWN pattern type";
  if (f.operation === AclOperation.UNKNOWN) return "The filter has an UNKNOWN operation";
  if (f.permissionType === AclPermission.UNKNOWN) return "The filter has an UNKNOWN permission type";
  return null;
}

/** ResourcePatternFilter.matches + AccessControlEntryFilter.matches. */
export function filterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (f.patternType !== PatternType.ANY && f.patternType !== PatternType.MATCH && f.patternType !== b.patternType) {
    return false;
  }
  if (f.resourceName !== null) {
    if (f.patternType === PatternType.ANY || f.patternType === b.patternType) {
      if (f.resourceName !== b.resourceName) return false;
    } else if (b.patternType === PatternType.LITERAL) {
      if (b.resourceName !== f.resourceName && b.resourceName !== WILDCARD) return false;
    } else if (b.patternType === PatternType.PREFIXED) {
      if (!f.resourceName.startsWith(b.resourceName)) return false;
    } else {
      return false;
    }
  }
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false;
  if (f.permissionType !== AclPermission.ANY && f.permissionType !== b.permissionType) return false;
  return true;
}

function bindingKey(b: AclBinding): string {
  return JSON.stringify([b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permissionType]);
}

/** A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; ACL hosts are written as a.b.c.d. */
export function normalizeHost(host: string | undefined): string {
  if (!host) return "";
  return host.startsWith("::ffff:") && host.includes(".") ? host.slice(7) : host;
}

const BindingSchema = z.object({
  resourceType: z.number().int(),
  resourceName: z.string(),
  patternType: z.number().int(),
  principal: z.string(),
  host: z.string(),
  operation: z.number().int(),
  permissionType: z.number().int(),
});
const FileSchema = z.object({ version: z.literal(1), acls: z.array(BindingSchema) });

export type AclsRemovedListener = (removed: AclBinding[]) => void;

/**
 * Bindings per resource type: literal ones by name (so a check is a map lookup for the name and
 * for "*"), prefixed ones in a list. Rebuilt on every change; changes are rare, checks are per
 * request and per topic.
 */
interface AclIndex {
  literal: Map<number, Map<string, AclBinding[]>>;
  prefixed: Map<number, AclBinding[]>;
}

export class AclStore {
  private readonly bindings = new Map<string, AclBinding>();
  private readonly removedListeners: AclsRemovedListener[] = [];
  private index: AclIndex | null = null;

  constructor(private readonly file?: string) {
    if (!file) return;
    const raw = readJson(file);
    if (raw === undefined) return;
    for (const b of FileSchema.parse(raw).acls) this.bindings.set(bindingKey(b), b);
  }

  static inDataDir(dataDir: string): AclStore {
    return new AclStore(path.join(dataDir, "security", "acls.json"));
  }

  private changeCount = 0;

  /** Bumped on every change; lets callers cache decisions. */
  get version(): number {
    return this.changeCount;
  }

  private persist(): void {
    this.index = null;
    this.changeCount++;
    if (this.file) writeJsonAtomic(this.file, { version: 1, acls: this.list() });
  }

  private getIndex(): AclIndex {
    if (this.index) return this.index;
    const index: AclIndex = { literal: new Map(), prefixed: new Map() };
    for (const b of this.bindings.values()) {
      if (b.patternType === PatternType.LITERAL) {
        let byName = index.literal.get(b.resourceType);
        if (!byName) index.literal.set(b.resourceType, (byName = new Map()));
        const list = byName.get(b.resourceName);
        if (list) list.push(b);
        else byName.set(b.resourceName, [b]);
      } else if (b.patternType === PatternType.PREFIXED) {
        const list = index.prefixed.get(b.resourceType);
        if (list) list.push(b);
        else index.prefixed.set(b.resourceType, [b]);
      }
    }
    this.index = index;
    return index;
  }

  onAclsRemoved(listener: AclsRemovedListener): void {
    this.removedListeners.push(listener);
  }

  list(): AclBinding[] {
    return [...this.bindings.values()];
  }

  /** Creates bindings (idempotent, like Kafka). One result per binding, in order. */
  create(bindings: AclBinding[]): { errorCode: number; errorMessage: string | null }[] {
    let changed = false;
    const results = bindings.map((b) => {
      const problem = validateAclBinding(b);
      if (problem) return { errorCode: INVALID_REQUEST, errorMessage: problem };
      const key = bindingKey(b);
      if (!this.bindings.has(key)) {
        this.bindings.set(key, { ...b });
        changed = true;
      }
      return { errorCode: 0, errorMessage: null };
    });
    if (changed) this.persist();
    return results;
  }

  /** Throws when the filter is invalid. */
  describe(filter: AclBindingFilter): AclBinding[] {
    const problem = validateAclFilter(filter);
    if (problem) throw new AclFilterError(problem);
    return this.list().filter((b) => filterMatches(filter, b));
  }

  /** One result per filter; a binding matched by several filters is reported by each of them. */
  delete(filters: AclBindingFilter[]): { errorCode: number; errorMessage: string | null; matching: AclBinding[] }[] {
    const removed = new Map<string, AclBinding>();
    const results = filters.map((f) => {
      const problem = validateAclFilter(f);
      if (problem) return { errorCode: INVALID_REQUEST, errorMessage: problem, matching: [] };
      const matching: AclBinding[] = [];
      for (const [key, b] of this.bindings) {
        if (filterMatches(f, b)) {
          matching.push(b);
          removed.set(key, b);
        }
      }
      return { errorCode: 0, errorMessage: null, matching };
    });
    if (removed.size > 0) {
      for (const key of removed.keys()) this.bindings.delete(key);
      this.persist();
      const list = [...removed.values()];
      for (const l of this.removedListeners) l(list);
    }
    return results;
  }

  /** Bindings whose pattern applies to the resource, any principal (the "no ACL found" test). */
  bindingsFor(resourceType: number, name: string): AclBinding[] {
    const index = this.getIndex();
    const byName = index.literal.get(resourceType);
    const out: AclBinding[] = [...(byName?.get(name) ?? [])];
    if (name !== WILDCARD) out.push(...(byName?.get(WILDCARD) ?? []));
    for (const b of index.prefixed.get(resourceType) ?? []) if (name.startsWith(b.resourceName)) out.push(b);
    return out;
  }
}

export class AclFilterError extends Error {
  readonly errorCode = INVALID_REQUEST;
}

export interface AuthorizeRequest {
  principal: string;
  /** Client IP as the socket reports it. */
  host?: string;
  operation: number;
  resourceType: number;
  resourceName: string;
}

export interface AclAuthorizerOptions {
  /** Principals like "User:admin" that bypass every check. */
  superUsers?: string[];
  /** Kafka's allow.everyone.if.no.acl.found; false by default as in Kafka. */
  allowEveryoneIfNoAclFound?: boolean;
}

/**
 * The decision, in Kafka's order: super user -> allow; any matching DENY (same operation or ALL)
 * -> deny; any matching ALLOW (same operation, ALL, or an operation implying it) -> allow; no
 * binding of any principal on the resource -> allowEveryoneIfNoAclFound; otherwise deny.
 */
export class AclAuthorizer {
  private readonly superUsers: Set<string>;
  private readonly allowEveryoneIfNoAclFound: boolean;

  constructor(
    readonly store: AclStore,
    opts: AclAuthorizerOptions = {},
  ) {
    this.superUsers = new Set(opts.superUsers ?? []);
    this.allowEveryoneIfNoAclFound = opts.allowEveryoneIfNoAclFound ?? false;
  }

  isSuperUser(principal: string): boolean {
    return this.superUsers.has(principal);
  }

  /**
   * Decisions per (principal, host, operation, resource), valid for one store version. Handlers
   * ask per topic and partition on the produce/fetch path; ACLs change rarely.
   */
  private cache = new Map<string, boolean>();
  private cacheVersion = -1;
  private static readonly MAX_CACHED = 50_000;

  authorize(req: AuthorizeRequest): boolean {
    if (this.superUsers.has(req.principal)) return true;
    if (this.cacheVersion !== this.store.version || this.cache.size >= AclAuthorizer.MAX_CACHED) {
      this.cache.clear();
      this.cacheVersion = this.store.version;
    }
    const key = `${req.principal}\0${req.host ?? ""}\0${req.operation}\0${req.resourceType}\0${req.resourceName}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const decision = this.decide(req);
    this.cache.set(key, decision);
    return decision;
  }

  private decide(req: AuthorizeRequest): boolean {
    const host = normalizeHost(req.host);
    const onResource = this.store.bindingsFor(req.resourceType, req.resourceName);
    if (onResource.length === 0) return this.allowEveryoneIfNoAclFound;
    const applicable = onResource.filter(
      (b) =>
        (b.principal === req.principal || b.principal === WILDCARD_PRINCIPAL) &&
        (b.host === WILDCARD || b.host === host),
    );
    for (const b of applicable) {
      if (
        b.permissionType === AclPermission.DENY &&
        (b.operation === req.operation || b.operation === AclOperation.ALL)
      ) {
        return false;
      }
    }
    const allowing = new Set<number>([req.operation, AclOperation.ALL, ...(IMPLIED_BY[req.operation] ?? [])]);
    return applicable.some((b) => b.permissionType === AclPermission.ALLOW && allowing.has(b.operation));
  }
}

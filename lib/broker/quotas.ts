import path from "node:path";
import { AclOperation, CLUSTER_RESOURCE, ResourceType } from "./authz";
import { AlterClientQuotas, DescribeClientQuotas } from "./protocol/apis/client-quotas";
import { ErrorCode } from "./protocol/errors";
import { readJson, writeJsonAtomic } from "./security/persist";
import type { BrokerServer, Connection } from "./server";

/**
 * Client quotas (KIP-13 byte rates, KIP-546 admin APIs) for the embedded broker.
 *
 * Entities and precedence are Kafka's: a quota is set on a user, a client id, a user and client
 * id together, or the default of either (a null name), and a connection gets, per quota key, the
 * value of the first stored entity that has it in this order:
 *   user+client, user+default-client, user, default-user+client, default-user+default-client,
 *   default-user, client, default-client.
 * The matched entity also decides who shares the budget: a user quota is shared by every client
 * id of that user (and every connection), a user+client quota only by that pair; a default-user
 * quota gives each user its own budget, as in Kafka.
 *
 * Enforcement: the bytes of each Produce request and of each Fetch response are charged to the
 * budget after the fact (Kafka does the same). The budget is a leaky bucket draining at the quota
 * rate with one second of burst; when a request leaves it over the burst, the response carries
 * throttle_time_ms = the time the excess takes to drain at the quota rate, and is held back for
 * that long. Holding the response also holds every later response on the connection (responses
 * go out in request order), which is what Kafka's KIP-219 channel muting achieves. Over time a
 * throttled principal therefore receives at most rate × elapsed + one second of burst.
 *
 * State: the quota definitions persist in <dataDir>/quotas/client-quotas.json (atomic rewrite on
 * each AlterClientQuotas, like the security module's files); budgets are in memory.
 */

export type QuotaKind = "producer_byte_rate" | "consumer_byte_rate";

export const QUOTA_KEYS = new Set(["producer_byte_rate", "consumer_byte_rate", "request_percentage", "controller_mutation_rate", "connection_creation_rate"]);
const USER = "user";
const CLIENT = "client-id";
const IP = "ip";

/** One throttle is never longer than this; a larger debt carries over to the next requests. */
export const MAX_THROTTLE_MS = 10_000;
/** Seconds of quota a budget may run ahead before throttling starts. */
const BURST_SECONDS = 1;

export type QuotaEntity = { entityType: string; entityName: string | null }[];

interface StoredQuota {
  entity: QuotaEntity;
  values: Record<string, number>;
}

function entityKey(entity: QuotaEntity): string {
  return JSON.stringify([...entity].sort((a, b) => a.entityType.localeCompare(b.entityType)).map((e) => [e.entityType, e.entityName]));
}

/** A missing dimension is undefined, a default one null. */
type Spec = { user?: string | null; client?: string | null };

export class QuotaStore {
  private readonly entries = new Map<string, StoredQuota>();

  constructor(private readonly file: string | null) {
    if (!file) return;
    const saved = readJson(file) as { entries?: StoredQuota[] } | undefined;
    for (const e of saved?.entries ?? []) this.entries.set(entityKey(e.entity), { entity: e.entity, values: { ...e.values } });
  }

  static inDataDir(dataDir: string): QuotaStore {
    return new QuotaStore(path.join(dataDir, "quotas", "client-quotas.json"));
  }

  list(): StoredQuota[] {
    return [...this.entries.values()].filter((e) => Object.keys(e.values).length > 0);
  }

  /** Applies set/remove operations to one entity; persists. */
  alter(entity: QuotaEntity, ops: { key: string; value: number; remove: boolean }[]): void {
    const key = entityKey(entity);
    const cur = this.entries.get(key) ?? { entity, values: {} };
    for (const op of ops) {
      if (op.remove) delete cur.values[op.key];
      else cur.values[op.key] = op.value;
    }
    if (Object.keys(cur.values).length === 0) this.entries.delete(key);
    else this.entries.set(key, cur);
  }

  save(): void {
    if (this.file) writeJsonAtomic(this.file, { entries: this.list() });
  }

  private lookup(spec: Spec): StoredQuota | undefined {
    const entity: QuotaEntity = [];
    if (spec.user !== undefined) entity.push({ entityType: USER, entityName: spec.user });
    if (spec.client !== undefined) entity.push({ entityType: CLIENT, entityName: spec.client });
    return this.entries.get(entityKey(entity));
  }

  /** Kafka's precedence for one key; the budget key names whose usage shares the quota. */
  resolve(kind: QuotaKind, user: string, clientId: string): { rate: number; budgetKey: string } | null {
    const order: Spec[] = [
      { user, client: clientId },
      { user, client: null },
      { user },
      { user: null, client: clientId },
      { user: null, client: null },
      { user: null },
      { client: clientId },
      { client: null },
    ];
    for (const spec of order) {
      const rate = this.lookup(spec)?.values[kind];
      if (rate === undefined) continue;
      const who = `${spec.user !== undefined ? `u=${user}` : ""}|${spec.client !== undefined ? `c=${clientId}` : ""}`;
      return { rate, budgetKey: `${kind}|${who}` };
    }
    return null;
  }
}

interface Budget {
  /** Bytes charged and not yet drained. */
  debt: number;
  at: number;
}

export class QuotaManager {
  private readonly budgets = new Map<string, Budget>();

  constructor(readonly store: QuotaStore) {}

  /**
   * Charges `bytes` to the connection's budget for `kind` and returns the throttle time in ms
   * (0 when within quota or when no quota applies).
   */
  record(kind: QuotaKind, ctx: Pick<Connection, "principal" | "clientId">, bytes: number, now = Date.now()): number {
    const user = ctx.principal.startsWith("User:") ? ctx.principal.slice(5) : ctx.principal;
    const quota = this.store.resolve(kind, user, ctx.clientId ?? "");
    if (!quota) return 0;
    const rate = quota.rate;
    if (!(rate > 0)) return 0;
    let b = this.budgets.get(quota.budgetKey);
    if (!b) {
      b = { debt: 0, at: now };
      this.budgets.set(quota.budgetKey, b);
    }
    b.debt = Math.max(0, b.debt - ((now - b.at) / 1000) * rate) + bytes;
    b.at = now;
    const excess = b.debt - rate * BURST_SECONDS;
    if (excess <= 0) return 0;
    return Math.min(MAX_THROTTLE_MS, Math.ceil((excess / rate) * 1000));
  }
}

/** Resolves after `ms`, or at once when the connection closes. */
export function holdResponse(ctx: Connection, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve();
    }, ms);
    const off = ctx.onClose(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

type WireEntity = { entityType: string; entityName: string | null };
type AlterEntry = { entity: WireEntity[]; ops: { key: string; value: number; remove: boolean }[] };
type DescribeComponent = { entityType: string; matchType: number; match: string | null };

const MATCH_EXACT = 0;
const MATCH_DEFAULT = 1;
const MATCH_SPECIFIED = 2;

function validateAlter(e: AlterEntry): string | null {
  if (e.entity.length === 0) return "an entity needs at least one entity type";
  const types = e.entity.map((x) => x.entityType);
  if (new Set(types).size !== types.length) return "duplicate entity type";
  for (const t of types) if (t !== USER && t !== CLIENT && t !== IP) return `unknown entity type ${t}`;
  if (types.includes(IP) && types.length > 1) return "an ip entity cannot be combined with other entity types";
  const keys = e.ops.map((o) => o.key);
  if (new Set(keys).size !== keys.length) return "duplicate quota key";
  for (const op of e.ops) {
    if (!QUOTA_KEYS.has(op.key)) return `unknown quota key ${op.key}`;
    if (types.includes(IP) !== (op.key === "connection_creation_rate")) return `quota key ${op.key} does not apply to entity ${types.join("+")}`;
    if (!op.remove && !(Number.isFinite(op.value) && op.value > 0)) return `quota ${op.key} must be a positive number`;
  }
  return null;
}

function matchesFilter(entity: WireEntity[], components: DescribeComponent[], strict: boolean): boolean {
  for (const c of components) {
    const e = entity.find((x) => x.entityType === c.entityType);
    if (!e) return false;
    if (c.matchType === MATCH_EXACT && e.entityName !== c.match) return false;
    if (c.matchType === MATCH_DEFAULT && e.entityName !== null) return false;
    if (c.matchType === MATCH_SPECIFIED && e.entityName === null) return false;
  }
  if (strict && entity.some((e) => !components.some((c) => c.entityType === e.entityType))) return false;
  return true;
}

/** DescribeClientQuotas (DESCRIBE_CONFIGS on the cluster) and AlterClientQuotas (ALTER_CONFIGS). */
export function registerQuotaHandlers(server: BrokerServer, quotas: QuotaManager): void {
  server.registerHandler(DescribeClientQuotas, (ctx, raw) => {
    const components = raw.components as DescribeComponent[];
    const strict = raw.strict as boolean;
    const fail = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, errorCode, errorMessage, entries: null });
    if (!ctx.authorize(AclOperation.DESCRIBE_CONFIGS, ResourceType.CLUSTER, CLUSTER_RESOURCE)) {
      return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, "Cluster authorization failed");
    }
    for (const c of components) {
      if (![MATCH_EXACT, MATCH_DEFAULT, MATCH_SPECIFIED].includes(c.matchType)) return fail(ErrorCode.INVALID_REQUEST, `unknown match type ${c.matchType}`);
      if (c.matchType === MATCH_EXACT && c.match === null) return fail(ErrorCode.INVALID_REQUEST, "an exact match needs a name");
    }
    if (new Set(components.map((c) => c.entityType)).size !== components.length) return fail(ErrorCode.INVALID_REQUEST, "duplicate entity type in filter");
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      entries: quotas.store
        .list()
        .filter((q) => matchesFilter(q.entity, components, strict))
        .map((q) => ({ entity: q.entity, values: Object.entries(q.values).map(([key, value]) => ({ key, value })) })),
    };
  });

  server.registerHandler(AlterClientQuotas, (ctx, raw) => {
    const entries = raw.entries as AlterEntry[];
    const validateOnly = raw.validateOnly as boolean;
    const allowed = ctx.authorize(AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, CLUSTER_RESOURCE);
    const results = entries.map((e) => {
      if (!allowed) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: "Cluster authorization failed", entity: e.entity };
      const problem = validateAlter(e);
      if (problem) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, entity: e.entity };
      if (!validateOnly) quotas.store.alter(e.entity, e.ops);
      return { errorCode: 0, errorMessage: null, entity: e.entity };
    });
    if (!validateOnly && results.some((r) => r.errorCode === 0)) quotas.store.save();
    return { throttleTimeMs: 0, entries: results };
  });
}

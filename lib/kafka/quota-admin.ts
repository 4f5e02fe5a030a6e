import { AlterClientQuotas, DescribeClientQuotas } from "@/lib/broker/protocol/apis/client-quotas";
import { kafkaConnectionFromEnv, type KafkaConnectionOptions } from "./client";
import { KafkaWireError, WireConnection } from "./wire";

/**
 * Client quotas (KIP-546, API keys 48/49), which kafkajs cannot send. For Apache Kafka >= 2.6
 * and the embedded broker (which enforces producer/consumer byte rates, lib/broker/quotas.ts).
 * A cluster without these APIs fails with a clear "does not support" error
 * (`isQuotaUnsupported`); the provisioner treats quotas as optional per target.
 */

/** Kafka's quota keys (QuotaConfigs). */
export type QuotaKey = "producer_byte_rate" | "consumer_byte_rate" | "request_percentage" | "controller_mutation_rate";

export type QuotaEntity = { user?: string | null; "client-id"?: string | null; ip?: string | null };

export interface QuotaEntry {
  /** Entity type -> name; null names the default entity of that type. */
  entity: Record<string, string | null>;
  values: Partial<Record<QuotaKey, number>>;
}

export interface QuotaAlteration {
  entity: QuotaEntity;
  /** A number sets the quota; null removes it. */
  set: Partial<Record<QuotaKey, number | null>>;
}

/** True for the error a cluster without the client-quota APIs produces. */
export function isQuotaUnsupported(err: unknown): boolean {
  return err instanceof KafkaWireError && /does not support (Describe|Alter)ClientQuotas/.test(err.message);
}

const MATCH_EXACT = 0;
const MATCH_DEFAULT = 1;
const MATCH_SPECIFIED = 2;

function entityList(entity: QuotaEntity): { entityType: string; entityName: string | null }[] {
  return Object.entries(entity)
    .filter(([, v]) => v !== undefined)
    .map(([entityType, entityName]) => ({ entityType, entityName: entityName ?? null }));
}

export class QuotaAdminClient {
  private constructor(private readonly conn: WireConnection) {}

  static async connect(
    opts: { connection?: KafkaConnectionOptions; clientId?: string; timeoutMs?: number } = {},
  ): Promise<QuotaAdminClient> {
    const conn = await WireConnection.open({
      connection: opts.connection ?? kafkaConnectionFromEnv(),
      clientId: opts.clientId ?? "tributary-quota-admin",
      timeoutMs: opts.timeoutMs,
    });
    return new QuotaAdminClient(conn);
  }

  /**
   * Quotas matching a filter. Each filter component: a name (exact), null (the default entity),
   * or "*" (any specified entity of that type). `strict` excludes entities with other types.
   */
  async describe(filter: Record<string, string | null>, strict = false): Promise<QuotaEntry[]> {
    const v = this.conn.pickVersion(DescribeClientQuotas, [0, 1]);
    const components = Object.entries(filter).map(([entityType, match]) => {
      if (match === null) return { entityType, matchType: MATCH_DEFAULT, match: null };
      if (match === "*") return { entityType, matchType: MATCH_SPECIFIED, match: null };
      return { entityType, matchType: MATCH_EXACT, match };
    });
    const res = await this.conn.send(DescribeClientQuotas, v, { components, strict });
    if (res.errorCode !== 0) {
      throw new KafkaWireError(`DescribeClientQuotas failed: ${String(res.errorMessage ?? res.errorCode)}`, res.errorCode as number);
    }
    const entries = (res.entries as { entity: { entityType: string; entityName: string | null }[]; values: { key: string; value: number }[] }[] | null) ?? [];
    return entries.map((e) => ({
      entity: Object.fromEntries(e.entity.map((x) => [x.entityType, x.entityName])),
      values: Object.fromEntries(e.values.map((x) => [x.key, x.value])) as QuotaEntry["values"],
    }));
  }

  /** Applies the alterations; throws on the first per-entity error. */
  async alter(alterations: QuotaAlteration[], validateOnly = false): Promise<void> {
    const v = this.conn.pickVersion(AlterClientQuotas, [0, 1]);
    const entries = alterations.map((a) => ({
      entity: entityList(a.entity),
      ops: Object.entries(a.set).map(([key, value]) => ({ key, value: value ?? 0, remove: value === null })),
    }));
    const res = await this.conn.send(AlterClientQuotas, v, { entries, validateOnly });
    for (const e of res.entries as { errorCode: number; errorMessage: string | null; entity: unknown }[]) {
      if (e.errorCode !== 0) {
        throw new KafkaWireError(`AlterClientQuotas failed for ${JSON.stringify(e.entity)}: ${e.errorMessage ?? e.errorCode}`, e.errorCode);
      }
    }
  }

  close(): void {
    this.conn.close();
  }
}

/**
 * A subscription principal's consumer byte rate: a number sets it, null removes it. Returns what
 * happened; a cluster without the client-quota APIs gives "unsupported" instead of an error, so
 * provisioning works on targets that manage quotas elsewhere (the caller records it).
 */
export async function applyConsumerByteRate(
  connection: KafkaConnectionOptions,
  username: string,
  bytesPerSec: number | null,
): Promise<"set" | "removed" | "unsupported"> {
  try {
    await setUserByteRates(connection, username, { consumer_byte_rate: bytesPerSec });
    return bytesPerSec === null ? "removed" : "set";
  } catch (err) {
    if (isQuotaUnsupported(err)) return "unsupported";
    throw err;
  }
}

/**
 * Sets or removes one principal's byte-rate quotas (Kafka's `user` entity is the SASL user name,
 * without "User:"). Idempotent: setting the same value again or removing an absent quota is a
 * no-op on the cluster. `null` removes that key.
 */
export async function setUserByteRates(
  connection: KafkaConnectionOptions,
  username: string,
  rates: { consumer_byte_rate: number | null; producer_byte_rate?: number | null },
): Promise<void> {
  const client = await QuotaAdminClient.connect({ connection });
  try {
    await client.alter([{ entity: { user: username }, set: rates }]);
  } finally {
    client.close();
  }
}

/**
 * Every user entity's consumer_byte_rate on the cluster (user-only entities, not user+client-id
 * or defaults), by user name, for reconciliation; "unsupported" on a cluster without the APIs.
 */
export async function listUserConsumerByteRates(connection: KafkaConnectionOptions): Promise<Map<string, number> | "unsupported"> {
  try {
    const client = await QuotaAdminClient.connect({ connection });
    try {
      const entries = await client.describe({ user: "*" }, true);
      const rates = new Map<string, number>();
      for (const e of entries) {
        const user = e.entity.user;
        const rate = e.values.consumer_byte_rate;
        if (user && rate !== undefined) rates.set(user, rate);
      }
      return rates;
    } finally {
      client.close();
    }
  } catch (err) {
    if (isQuotaUnsupported(err)) return "unsupported";
    throw err;
  }
}

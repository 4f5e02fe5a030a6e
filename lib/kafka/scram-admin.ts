import { randomBytes } from "node:crypto";
import {
  AlterUserScramCredentials,
  DescribeUserScramCredentials,
} from "@/lib/broker/protocol/apis/scram-credentials";
import {
  MIN_ITERATIONS,
  SCRAM_MECHANISM_CODES,
  saltPassword,
  scramMechanismFromCode,
  type ScramMechanism,
} from "@/lib/broker/security/scram";
import { kafkaConnectionFromEnv, type KafkaConnectionOptions } from "./client";
import { KafkaWireError, WireConnection } from "./wire";

/**
 * Describe/AlterUserScramCredentials (KIP-554, API keys 50/51), which kafkajs cannot send.
 * Salting happens here: the broker receives salt + iterations + SaltedPassword (what Kafka
 * expects), never the password.
 */

export type { ScramMechanism };

export interface ScramCredentialInfo {
  mechanism: ScramMechanism;
  iterations: number;
}

export interface DescribedScramUser {
  user: string;
  errorCode: number;
  errorMessage: string | null;
  credentials: ScramCredentialInfo[];
}

export interface ScramUpsertion {
  user: string;
  mechanism: ScramMechanism;
  password: string;
  iterations?: number;
}

export interface ScramDeletion {
  user: string;
  mechanism: ScramMechanism;
}

export interface AlterScramResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}

/** KIP-554 RESOURCE_NOT_FOUND: the user (or that mechanism) has no credential. */
export const SCRAM_RESOURCE_NOT_FOUND = 91;

export class ScramAdminClient {
  private constructor(private readonly conn: WireConnection) {}

  static async connect(
    opts: { connection?: KafkaConnectionOptions; clientId?: string; timeoutMs?: number } = {},
  ): Promise<ScramAdminClient> {
    const conn = await WireConnection.open({
      connection: opts.connection ?? kafkaConnectionFromEnv(),
      clientId: opts.clientId ?? "tributary-scram-admin",
      timeoutMs: opts.timeoutMs,
    });
    return new ScramAdminClient(conn);
  }

  /** Users to describe, or every user with credentials when omitted. */
  async describe(users?: string[]): Promise<DescribedScramUser[]> {
    const v = this.conn.pickVersion(DescribeUserScramCredentials, [0, 0]);
    const res = await this.conn.send(DescribeUserScramCredentials, v, {
      users: users && users.length > 0 ? users.map((name) => ({ name })) : null,
    });
    if (res.errorCode !== 0) {
      throw new KafkaWireError(
        `DescribeUserScramCredentials failed: ${String(res.errorMessage ?? res.errorCode)}`,
        res.errorCode as number,
      );
    }
    return (res.results as Record<string, unknown>[]).map((r) => ({
      user: r.user as string,
      errorCode: r.errorCode as number,
      errorMessage: r.errorMessage as string | null,
      credentials: (r.credentialInfos as { mechanism: number; iterations: number }[]).flatMap((c) => {
        const mechanism = scramMechanismFromCode(c.mechanism);
        return mechanism ? [{ mechanism, iterations: c.iterations }] : [];
      }),
    }));
  }

  /** One result per user named in the request. */
  async alter(changes: { upsertions?: ScramUpsertion[]; deletions?: ScramDeletion[] }): Promise<AlterScramResult[]> {
    const v = this.conn.pickVersion(AlterUserScramCredentials, [0, 0]);
    const upsertions = await Promise.all(
      (changes.upsertions ?? []).map(async (u) => {
        const iterations = u.iterations ?? MIN_ITERATIONS;
        const salt = randomBytes(32);
        return {
          name: u.user,
          mechanism: SCRAM_MECHANISM_CODES[u.mechanism],
          iterations,
          salt,
          saltedPassword: await saltPassword(u.mechanism, u.password, salt, iterations),
        };
      }),
    );
    const deletions = (changes.deletions ?? []).map((d) => ({ name: d.user, mechanism: SCRAM_MECHANISM_CODES[d.mechanism] }));
    const res = await this.conn.send(AlterUserScramCredentials, v, { deletions, upsertions });
    return (res.results as Record<string, unknown>[]).map((r) => ({
      user: r.user as string,
      errorCode: r.errorCode as number,
      errorMessage: r.errorMessage as string | null,
    }));
  }

  /** Creates or replaces one credential; throws on any error. */
  async upsertUser(user: string, password: string, mechanism: ScramMechanism, iterations?: number): Promise<void> {
    const [r] = await this.alter({ upsertions: [{ user, mechanism, password, iterations }] });
    if (!r || r.errorCode !== 0) {
      throw new KafkaWireError(`Could not set SCRAM credential for ${user}: ${r?.errorMessage ?? r?.errorCode}`, r?.errorCode);
    }
  }

  /**
   * Deletes every SCRAM credential of a user. Idempotent: a user without credentials is not an
   * error. Returns the mechanisms that were deleted.
   */
  async deleteUser(user: string): Promise<ScramMechanism[]> {
    const [described] = await this.describe([user]);
    if (!described || described.errorCode === SCRAM_RESOURCE_NOT_FOUND) return [];
    if (described.errorCode !== 0) {
      throw new KafkaWireError(`Could not describe ${user}: ${described.errorMessage ?? described.errorCode}`, described.errorCode);
    }
    const mechanisms = described.credentials.map((c) => c.mechanism);
    if (mechanisms.length === 0) return [];
    const [r] = await this.alter({ deletions: mechanisms.map((mechanism) => ({ user, mechanism })) });
    if (r && r.errorCode !== 0 && r.errorCode !== SCRAM_RESOURCE_NOT_FOUND) {
      throw new KafkaWireError(`Could not delete SCRAM credentials of ${user}: ${r.errorMessage ?? r.errorCode}`, r.errorCode);
    }
    return mechanisms;
  }

  close(): void {
    this.conn.close();
  }
}

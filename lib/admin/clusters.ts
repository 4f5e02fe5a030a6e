import { randomUUID } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "@/db/client";
import { clusters, dataProducts } from "@/db/schema";
import type { SessionUser } from "@/lib/auth/roles";
import { openSecret, sealSecret } from "@/lib/crypto/secret-box";
import { encryptionKey } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { kafkaConnectionFromEnv, type KafkaConnectionOptions } from "@/lib/kafka/client";
import { testKafkaConnection, type ConnectionReport } from "./connection-test";
import { assertAdmin, auditAdmin, isUniqueViolation } from "./guard";
import type { CreateClusterSchema, UpdateClusterSchema } from "./schemas";

/**
 * Kafka cluster connections. The admin secret is write-only: sealed with AES-256-GCM under
 * ENCRYPTION_KEY (bound to the cluster id) before it reaches the database, never returned by
 * any read here, never written to the audit log. The embedded cluster's address and
 * credentials come from the environment at run time; only its name is editable.
 */
export type ClusterRow = {
  id: string;
  name: string;
  bootstrapServers: string;
  saslMechanism: "none" | "plain" | "scram-sha-256" | "scram-sha-512";
  adminUsername: string | null;
  hasSecret: boolean;
  tls: boolean;
  tlsCaCert: string | null;
  embedded: boolean;
  productCount: number;
  createdAt: Date;
};

export async function listClusters(db: Db, actor: SessionUser): Promise<ClusterRow[]> {
  assertAdmin(actor);
  return db
    .select({
      id: clusters.id,
      name: clusters.name,
      bootstrapServers: clusters.bootstrapServers,
      saslMechanism: clusters.saslMechanism,
      adminUsername: clusters.adminUsername,
      hasSecret: sql<boolean>`${clusters.adminSecretEnc} is not null`,
      tls: clusters.tls,
      tlsCaCert: clusters.tlsCaCert,
      embedded: clusters.embedded,
      // Qualified by hand: drizzle leaves columns unqualified in a one-table select.
      productCount: sql<number>`(select count(*)::int from data_products p where p.cluster_id = "clusters"."id")`,
      createdAt: clusters.createdAt,
    })
    .from(clusters)
    .orderBy(asc(clusters.name));
}

function nameTaken(err: unknown, name: string): never {
  if (isUniqueViolation(err)) throw new AppError("validation", undefined, { fieldErrors: { name: [`A cluster named "${name}" exists.`] } });
  throw err;
}

export async function createCluster(db: Db, actor: SessionUser, input: z.output<typeof CreateClusterSchema>, key: Buffer = encryptionKey()): Promise<{ id: string }> {
  assertAdmin(actor);
  const id = randomUUID();
  const sasl = input.saslMechanism !== "none";
  try {
    return await db.transaction(async (tx) => {
      await tx.insert(clusters).values({
        id,
        name: input.name,
        bootstrapServers: input.bootstrapServers,
        saslMechanism: input.saslMechanism,
        adminUsername: sasl ? (input.adminUsername ?? null) : null,
        adminSecretEnc: sasl && input.adminSecret ? sealSecret(input.adminSecret, key, id) : null,
        tls: input.tls,
        tlsCaCert: input.tls ? (input.tlsCaCert ?? null) : null,
      });
      await auditAdmin(tx, actor, {
        action: "cluster.create",
        resource: { type: "cluster", id },
        details: {
          name: input.name,
          bootstrapServers: input.bootstrapServers,
          saslMechanism: input.saslMechanism,
          adminUsername: input.adminUsername ?? null,
          secretSet: Boolean(sasl && input.adminSecret),
          tls: input.tls,
          caSet: Boolean(input.tls && input.tlsCaCert),
        },
      });
      return { id };
    });
  } catch (err) {
    nameTaken(err, input.name);
  }
}

export async function updateCluster(db: Db, actor: SessionUser, input: z.output<typeof UpdateClusterSchema>, key: Buffer = encryptionKey()): Promise<void> {
  assertAdmin(actor);
  try {
    await db.transaction(async (tx) => {
      const [before] = await tx.select().from(clusters).where(eq(clusters.id, input.clusterId)).for("update");
      if (!before) throw new AppError("not_found", "No such cluster.");
      if (before.embedded) {
        await tx.update(clusters).set({ name: input.name }).where(eq(clusters.id, before.id));
        await auditAdmin(tx, actor, { action: "cluster.update", resource: { type: "cluster", id: before.id }, details: { from: { name: before.name }, to: { name: input.name } } });
        return;
      }
      const sasl = input.saslMechanism !== "none";
      let secretEnc = before.adminSecretEnc;
      let secretChange: "kept" | "replaced" | "cleared" = "kept";
      if (!sasl || input.clearSecret) {
        secretChange = before.adminSecretEnc ? "cleared" : "kept";
        secretEnc = null;
      } else if (input.adminSecret) {
        secretEnc = sealSecret(input.adminSecret, key, before.id);
        secretChange = "replaced";
      }
      if (sasl && !secretEnc) throw new AppError("validation", undefined, { fieldErrors: { adminSecret: ["SASL needs the admin password."] } });
      const next = { name: input.name, bootstrapServers: input.bootstrapServers, saslMechanism: input.saslMechanism, adminUsername: sasl ? (input.adminUsername ?? null) : null, tls: input.tls };
      const tlsCaCert = input.tls ? (input.tlsCaCert ?? null) : null;
      await tx.update(clusters).set({ ...next, tlsCaCert, adminSecretEnc: secretEnc }).where(eq(clusters.id, before.id));
      await auditAdmin(tx, actor, {
        action: "cluster.update",
        resource: { type: "cluster", id: before.id },
        details: {
          from: { name: before.name, bootstrapServers: before.bootstrapServers, saslMechanism: before.saslMechanism, adminUsername: before.adminUsername, tls: before.tls },
          to: next,
          secret: secretChange,
          ca: tlsCaCert === before.tlsCaCert ? "kept" : tlsCaCert ? "replaced" : "cleared",
        },
      });
    });
  } catch (err) {
    nameTaken(err, input.name);
  }
}

export async function deleteCluster(db: Db, actor: SessionUser, clusterId: string): Promise<void> {
  assertAdmin(actor);
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(clusters).where(eq(clusters.id, clusterId)).for("update");
    if (!row) throw new AppError("not_found", "No such cluster.");
    if (row.embedded) throw new AppError("conflict", "The embedded cluster cannot be removed.");
    const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(dataProducts).where(eq(dataProducts.clusterId, clusterId));
    if (n > 0) throw new AppError("conflict", `${n} data product${n === 1 ? " uses" : "s use"} this cluster; move them first.`);
    await tx.delete(clusters).where(eq(clusters.id, clusterId));
    await auditAdmin(tx, actor, { action: "cluster.delete", resource: { type: "cluster", id: clusterId }, details: { name: row.name, bootstrapServers: row.bootstrapServers } });
  });
}

/** How the app connects to a cluster row (opening its sealed secret). Server-side only. */
export function clusterConnection(row: typeof clusters.$inferSelect, key: Buffer = encryptionKey()): KafkaConnectionOptions {
  if (row.embedded) return kafkaConnectionFromEnv();
  const brokers = row.bootstrapServers.split(",").map((s) => s.trim()).filter(Boolean);
  const tls = row.tls ? { ssl: true, ...(row.tlsCaCert ? { tlsCa: row.tlsCaCert } : {}) } : {};
  if (row.saslMechanism === "none") return { brokers, ...tls };
  if (!row.adminUsername || !row.adminSecretEnc) throw new AppError("conflict", "This cluster has SASL but no admin credentials.");
  return { brokers, ...tls, sasl: { mechanism: row.saslMechanism, username: row.adminUsername, password: openSecret(row.adminSecretEnc, key, row.id) } };
}

export async function testClusterConnection(
  db: Db,
  actor: SessionUser,
  clusterId: string,
  opts: { timeoutMs?: number; key?: Buffer } = {},
): Promise<ConnectionReport> {
  assertAdmin(actor);
  const [row] = await db.select().from(clusters).where(eq(clusters.id, clusterId));
  if (!row) throw new AppError("not_found", "No such cluster.");
  let report: ConnectionReport;
  try {
    report = await testKafkaConnection(clusterConnection(row, opts.key), { timeoutMs: opts.timeoutMs });
  } catch (err) {
    // A secret sealed under another key (ENCRYPTION_KEY changed) must say so, not crash.
    report = { ok: false, steps: [{ id: "sasl", label: "SASL authentication", status: "failed", detail: `The stored admin secret cannot be used: ${(err as Error).message} Enter it again.` }] };
  }
  await auditAdmin(db, actor, {
    action: "cluster.test_connection",
    resource: { type: "cluster", id: clusterId },
    result: report.ok ? "success" : "failure",
    details: { steps: report.steps.map((s) => ({ id: s.id, status: s.status })) },
  });
  return report;
}

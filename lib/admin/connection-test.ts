import net from "node:net";
import tls from "node:tls";
import kafkajs, { type Admin } from "kafkajs";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";

// Constants through the default import: named ESM imports of kafkajs constants fail under tsx.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/**
 * "Test connection" for a cluster: each step says what works and stops the chain at the first
 * failure, so an admin sees whether the problem is the network, the credentials or permissions.
 * Short timeouts and no retries: an answer within seconds beats kafkajs's patient defaults.
 */
export type StepId = "tcp" | "tls" | "sasl" | "metadata" | "topics" | "acls";
export type StepStatus = "ok" | "failed" | "skipped";
export type ConnectionStep = { id: StepId; label: string; status: StepStatus; detail: string };
export type ConnectionReport = { ok: boolean; steps: ConnectionStep[] };

const LABELS: Record<StepId, string> = {
  tcp: "TCP reach",
  tls: "TLS handshake",
  sasl: "SASL authentication",
  metadata: "Cluster metadata",
  topics: "List topics",
  acls: "Describe ACLs permission",
};

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${Math.round(ms / 100) / 10} s`)), ms);
    }),
  ]);
}

function splitHostPort(server: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(server.trim());
  if (!m) throw new Error(`"${server}" is not host:port`);
  return { host: m[1], port: Number(m[2]) };
}

function reach(server: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let target: { host: string; port: number };
    try {
      target = splitHostPort(server);
    } catch (err) {
      reject(err);
      return;
    }
    const socket = net.connect(target);
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`timed out after ${timeoutMs} ms`)));
    socket.once("connect", () => done());
    socket.once("error", (err) => done(err));
  });
}

/** A TLS handshake with one broker, verifying its certificate the way kafkajs will. */
function handshake(server: string, ca: string | undefined, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let target: { host: string; port: number };
    try {
      target = splitHostPort(server);
    } catch (err) {
      reject(err);
      return;
    }
    const socket = tls.connect({ ...target, servername: net.isIP(target.host) ? undefined : target.host, ...(ca ? { ca } : {}) });
    const done = (err?: Error, detail?: string) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(detail!);
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`timed out after ${timeoutMs} ms`)));
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      const subject = cert?.subject?.CN ?? "unknown subject";
      const issuer = cert?.issuer?.CN ?? cert?.issuer?.O ?? "unknown issuer";
      done(undefined, `${socket.getProtocol() ?? "TLS"} with ${server}: certificate for ${subject}, issued by ${issuer}, valid until ${cert?.valid_to ?? "unknown"}.`);
    });
    socket.once("error", (err) => done(err));
  });
}

function message(err: unknown): string {
  const e = err as { name?: string; message?: string; type?: string };
  const text = e?.message ?? String(err);
  return e?.type && !text.includes(e.type) ? `${text} (${e.type})` : text;
}

export async function testKafkaConnection(conn: KafkaConnectionOptions, opts: { timeoutMs?: number } = {}): Promise<ConnectionReport> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const steps: ConnectionStep[] = [];
  const push = (id: StepId, status: StepStatus, detail: string) => steps.push({ id, label: LABELS[id], status, detail });
  const skipRest = (from: StepId[]) => from.forEach((id) => push(id, "skipped", "Not tried: an earlier step failed."));

  // 1. TCP: at least one bootstrap server must accept a connection.
  const reachable: string[] = [];
  const unreachable: string[] = [];
  await Promise.all(
    conn.brokers.map(async (b) => {
      try {
        await reach(b, Math.min(timeoutMs, 3000));
        reachable.push(b);
      } catch (err) {
        unreachable.push(`${b}: ${message(err)}`);
      }
    }),
  );
  if (!reachable.length) {
    push("tcp", "failed", `No bootstrap server accepted a TCP connection. ${unreachable.join("; ")}`);
    skipRest(["tls", "sasl", "metadata", "topics", "acls"]);
    return { ok: false, steps };
  }
  push("tcp", "ok", `Reached ${reachable.join(", ")}${unreachable.length ? `; not reached: ${unreachable.join("; ")}` : ""}.`);

  // 2. TLS: a handshake with the first reachable server, certificate verified (a plaintext
  // listener, a self-signed certificate without its CA or a wrong host name fail here).
  if (conn.ssl) {
    try {
      push("tls", "ok", await withTimeout(handshake(reachable[0]!, conn.tlsCa, Math.min(timeoutMs, 3000)), timeoutMs, "The TLS handshake"));
    } catch (err) {
      push("tls", "failed", `TLS handshake with ${reachable[0]} failed: ${message(err)}${conn.tlsCa ? "" : " (a private CA? add its certificate to the cluster)"}`);
      skipRest(["sasl", "metadata", "topics", "acls"]);
      return { ok: false, steps };
    }
  } else {
    push("tls", "skipped", "TLS is off: the connection is plaintext.");
  }

  const kafka = createKafka({
    clientId: "tributary-connection-test",
    connection: { ...conn, brokers: reachable },
    logLevel: "nothing",
    retries: 0,
    connectionTimeoutMs: Math.min(timeoutMs, 3000),
    requestTimeoutMs: timeoutMs,
  });
  const admin: Admin = kafka.admin({ retry: { retries: 0 } });
  try {
    // 3. SASL: kafkajs authenticates while connecting to the seed broker.
    try {
      await withTimeout(admin.connect(), timeoutMs, "The broker");
      if (conn.sasl) push("sasl", "ok", `Authenticated as ${conn.sasl.username} with ${conn.sasl.mechanism.toUpperCase()}.`);
      else push("sasl", "skipped", `No SASL configured: connected without authentication${conn.ssl ? " over TLS" : ", in plaintext"}.`);
    } catch (err) {
      const detail = conn.sasl
        ? `Authentication as ${conn.sasl.username} with ${conn.sasl.mechanism.toUpperCase()} failed: ${message(err)}`
        : `Connecting failed: ${message(err)}`;
      push("sasl", "failed", detail);
      skipRest(["metadata", "topics", "acls"]);
      return { ok: false, steps };
    }

    // 4. Metadata.
    try {
      const cluster = await withTimeout(admin.describeCluster(), timeoutMs, "Metadata");
      const n = cluster.brokers.length;
      push("metadata", "ok", `${n} broker${n === 1 ? "" : "s"} (controller ${cluster.controller ?? "unknown"}), cluster id ${cluster.clusterId || "unknown"}.`);
    } catch (err) {
      push("metadata", "failed", `Reading cluster metadata failed: ${message(err)}`);
      skipRest(["topics", "acls"]);
      return { ok: false, steps };
    }

    // 5. Topics.
    let topicsOk = true;
    try {
      const topics = await withTimeout(admin.listTopics(), timeoutMs, "Listing topics");
      push("topics", "ok", `${topics.length} topic${topics.length === 1 ? "" : "s"} visible.`);
    } catch (err) {
      topicsOk = false;
      push("topics", "failed", `Listing topics failed: ${message(err)}`);
    }

    // 6. ACLs: the provisioner needs to read and write them.
    let aclsOk = true;
    try {
      const res = await withTimeout(
        admin.describeAcls({
          resourceType: AclResourceTypes.ANY,
          resourcePatternType: ResourcePatternTypes.ANY,
          operation: AclOperationTypes.ANY,
          permissionType: AclPermissionTypes.ANY,
        }),
        timeoutMs,
        "Describing ACLs",
      );
      const n = res.resources.reduce((sum, r) => sum + r.acls.length, 0);
      push("acls", "ok", `Allowed: ${n} ACL binding${n === 1 ? "" : "s"} visible.`);
    } catch (err) {
      aclsOk = false;
      push("acls", "failed", `Describing ACLs failed (the provisioner needs this permission): ${message(err)}`);
    }
    return { ok: topicsOk && aclsOk, steps };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

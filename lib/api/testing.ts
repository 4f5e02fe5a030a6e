import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "@/db/client";
import type { SessionUser } from "@/lib/auth/roles";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { securityBrokerOptions } from "@/lib/broker/security";
import type { KafkaConnectionOptions } from "@/lib/kafka/client";
import { createProvisioner, type KafkaAccessProvisioner } from "@/lib/kafka/provisioning";
import type { CredentialDeps } from "@/lib/provisioning/credentials";
import { invoke, type ApiDeps, type Endpoint } from "./endpoint";
import { ALL_SCOPES, type ApiScope } from "./scopes";
import { createApiToken } from "./tokens";

/**
 * Shared by the token API tests: a SASL-secured broker (rotation creates real SCRAM users), a
 * provisioner on it, and helpers to mint tokens and call endpoints as a client would.
 */
export const TEST_BROKER_ADMIN_PASSWORD = "api-admin";

export type ApiTestKafka = {
  broker: RunningBroker;
  provisioner: KafkaAccessProvisioner;
  adminConn: KafkaConnectionOptions;
  deps: ApiDeps;
  close(): Promise<void>;
};

export async function startApiTestKafka(): Promise<ApiTestKafka> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "api-broker-"));
  const broker = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions(TEST_BROKER_ADMIN_PASSWORD) });
  const adminConn: KafkaConnectionOptions = { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: TEST_BROKER_ADMIN_PASSWORD } };
  const provisioner = createProvisioner(adminConn);
  return {
    broker,
    provisioner,
    adminConn,
    deps: { rateLimitPerMinute: 1000, credentialDeps: async (run) => run({ provisioner, bootstrap: [broker.bootstrap] } satisfies CredentialDeps) },
    async close() {
      await provisioner.close();
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const DEFAULT_TEST_SCOPES = ALL_SCOPES.filter((s) => s !== "finance:read");

export async function tokenFor(db: Database, user: SessionUser, scopes: ApiScope[] = DEFAULT_TEST_SCOPES, opts: { teamId?: string; days?: number } = {}): Promise<string> {
  return (await createApiToken(db, user, { name: "test", scopes, expiresInDays: opts.days ?? 30, teamId: opts.teamId })).token;
}

export type Call = { token?: string | null; authorization?: string; params?: Record<string, string>; query?: string; body?: unknown; rawBody?: string; deps?: ApiDeps };

export type ApiAnswer = {
  status: number;
  headers: Headers;
  json: Record<string, unknown> & { error?: { code: string; message: string; fieldErrors?: Record<string, string[]> }; requestId?: string };
};

/** The request a client would send for `c`: path parameters filled in, JSON body, bearer token. */
export function requestFor(ep: Endpoint, c: Call): Request {
  const url = `http://localhost/api/v1${ep.path.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(c.params?.[k] ?? "x"))}${c.query ? `?${c.query}` : ""}`;
  const headers: Record<string, string> = { "content-type": "application/json", "x-forwarded-for": "198.51.100.23", "user-agent": "api-test/1.0" };
  if (c.authorization) headers.authorization = c.authorization;
  else if (c.token) headers.authorization = `Bearer ${c.token}`;
  const body = c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
  return new Request(url, { method: ep.method, headers, body: ep.method === "GET" ? undefined : (body ?? "") });
}

export async function answer(res: Response): Promise<ApiAnswer> {
  return { status: res.status, headers: res.headers, json: (await res.json()) as ApiAnswer["json"] };
}

/** Calls the endpoint through the API pipeline (lib/api/endpoint.ts) with injected deps. */
export async function callEndpoint(db: Database, ep: Endpoint, c: Call, deps: ApiDeps): Promise<ApiAnswer> {
  return answer(await invoke(ep, db, requestFor(ep, c), c.params ?? {}, c.deps ?? deps));
}

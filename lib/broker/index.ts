import { mkdir } from "node:fs/promises";
import { resolveConfig, type BrokerConfig, type BrokerOptions } from "./config";
import { registerApiVersions } from "./handlers/api-versions";
import { BrokerServer, type ConnectionInfo } from "./server";

export type { BrokerConfig, BrokerOptions } from "./config";
export type { Authorizer, AuthorizeRequest } from "./authz";
export { AclOperation, ResourceType, CLUSTER_RESOURCE, ANONYMOUS } from "./authz";
export { BrokerServer, Connection, type BrokerPlugin, type Handler } from "./server";

export interface RunningBroker {
  /** The bound port (useful with port 0). */
  port: number;
  /** host:port clients should use ("localhost:<port>" by default). */
  bootstrap: string;
  config: BrokerConfig;
  server: BrokerServer;
  listConnections(): ConnectionInfo[];
  closeConnections(principal: string): number;
  /** Flushes and closes everything; safe to call twice. */
  close(): Promise<void>;
}

/** Starts an in-process broker: the launcher (scripts/broker.ts) and tests use this. */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const config = resolveConfig(options);
  await mkdir(config.dataDir, { recursive: true });
  const server = new BrokerServer(config);
  registerApiVersions(server);
  for (const plugin of config.plugins) await plugin(server);
  const port = await server.listen();
  config.advertisedPort ??= port;
  let closing: Promise<void> | null = null;
  config.log.info(`broker listening on ${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`);
  return {
    port,
    bootstrap: `${config.advertisedHost}:${config.advertisedPort}`,
    config,
    server,
    listConnections: () => server.listConnections(),
    closeConnections: (p) => server.closeConnections(p),
    close: () => (closing ??= server.close()),
  };
}

import { mkdir } from "node:fs/promises";
import { groupsDir, resolveConfig, type BrokerConfig, type BrokerOptions } from "./config";
import type { BrokerCore } from "./core";
import { GroupCoordinator } from "./groups/coordinator";
import { registerAdminHandlers } from "./handlers/admin";
import { registerApiVersions } from "./handlers/api-versions";
import { registerDataHandlers } from "./handlers/data";
import { registerGroupHandlers } from "./handlers/groups";
import { ProducerState, registerInitProducerId } from "./handlers/producer-state";
import { Metrics, startMetricsServer } from "./metrics";
import { QuotaManager, QuotaStore, registerQuotaHandlers } from "./quotas";
import { BrokerServer, type ConnectionInfo } from "./server";
import { TopicStore } from "./storage/topic-store";

export type { BrokerConfig, BrokerOptions, BrokerLogger } from "./config";
export { consoleLogger, silentLogger } from "./config";
export type { Authorizer, AuthorizeRequest } from "./authz";
export { AclOperation, ResourceType, CLUSTER_RESOURCE, ANONYMOUS, allowAllAuthorizer } from "./authz";
export { BrokerServer, Connection, type BrokerPlugin, type Handler, type ConnectionInfo } from "./server";

export interface RunningBroker {
  /** The bound port (useful with port 0). */
  port: number;
  /** host:port clients should use ("localhost:<port>" by default). */
  bootstrap: string;
  /** Bound port of the metrics HTTP server, when enabled. */
  metricsPort: number | null;
  config: BrokerConfig;
  server: BrokerServer;
  core: BrokerCore;
  listConnections(): ConnectionInfo[];
  closeConnections(principal: string): number;
  /** Stops accepting, closes connections, flushes and closes every file; safe to call twice. */
  close(): Promise<void>;
}

/** Starts an in-process broker: the launcher (scripts/broker.ts) and tests use this. */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const config = resolveConfig(options);
  await mkdir(config.dataDir, { recursive: true });
  const server = new BrokerServer(config);
  const topics = new TopicStore(config);
  const groups = new GroupCoordinator(groupsDir(config), config.log);
  const metrics = new Metrics();
  const quotas = new QuotaManager(QuotaStore.inDataDir(config.dataDir));
  const core: BrokerCore = { config, server, topics, groups, metrics, quotas };
  const producers = new ProducerState();

  registerApiVersions(server);
  registerDataHandlers(core, producers);
  registerAdminHandlers(core);
  registerGroupHandlers(core);
  registerInitProducerId(server, producers);
  registerQuotaHandlers(server, quotas);
  for (const plugin of config.plugins) await plugin(server);

  let port: number;
  try {
    port = await server.listen();
  } catch (err) {
    topics.close();
    groups.close();
    throw err;
  }
  config.advertisedPort ??= port;
  const metricsServer =
    config.metricsPort !== undefined ? await startMetricsServer(metrics, server, config.host, config.metricsPort) : null;

  const retention = setInterval(() => {
    try {
      const now = Date.now();
      topics.applyRetention(now);
      for (const g of groups.expireOffsets(now, config.offsetsRetentionMs)) config.log.info(`offsets of empty group ${g} expired`);
    } catch (err) {
      config.log.error(`retention: ${(err as Error).message}`);
    }
  }, config.retentionCheckIntervalMs);
  retention.unref();

  const shownHost = config.host.includes(":") ? `[${config.host}]` : config.host;
  config.log.info(`broker listening on ${shownHost}:${port} (advertised ${config.advertisedHost}:${config.advertisedPort}, data ${config.dataDir})`);
  if (metricsServer) config.log.info(`metrics on http://${config.advertisedHost}:${metricsServer.port}/metrics`);

  let closing: Promise<void> | null = null;
  const close = async () => {
    clearInterval(retention);
    await server.close();
    await metricsServer?.close();
    groups.close();
    topics.close();
    config.log.info("broker stopped");
  };
  return {
    port,
    bootstrap: `${config.advertisedHost}:${config.advertisedPort}`,
    metricsPort: metricsServer?.port ?? null,
    config,
    server,
    core,
    listConnections: () => server.listConnections(),
    closeConnections: (p) => server.closeConnections(p),
    close: () => (closing ??= close()),
  };
}

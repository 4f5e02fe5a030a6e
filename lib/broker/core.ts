import type { BrokerConfig } from "./config";
import type { GroupCoordinator } from "./groups/coordinator";
import type { Metrics } from "./metrics";
import type { QuotaManager } from "./quotas";
import type { BrokerServer } from "./server";
import type { TopicStore } from "./storage/topic-store";

/** What the handlers share. */
export interface BrokerCore {
  config: BrokerConfig;
  server: BrokerServer;
  topics: TopicStore;
  groups: GroupCoordinator;
  metrics: Metrics;
  /** Client quotas (producer/consumer byte rates) enforced by Produce and Fetch. */
  quotas: QuotaManager;
}

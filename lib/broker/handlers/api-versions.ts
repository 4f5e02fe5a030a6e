import { ApiVersions } from "../protocol/apis/api-versions";
import type { BrokerServer } from "../server";

/** ApiVersions lists exactly what is registered, so an API appears once its handler exists. */
export function registerApiVersions(server: BrokerServer): void {
  server.registerHandler(ApiVersions, () => ({ errorCode: 0, apiKeys: server.apiVersionsList(), throttleTimeMs: 0 }));
}

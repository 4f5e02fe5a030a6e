import type { Endpoint } from "../endpoint";
import { chargebackEndpoint } from "./finance";
import { getContractEndpoint, getProductEndpoint, searchCatalogEndpoint } from "./catalog";
import {
  approveAccessRequestEndpoint,
  denyAccessRequestEndpoint,
  listAccessRequestsEndpoint,
  listSubscriptionsEndpoint,
  rotateCredentialsEndpoint,
  subscribeEndpoint,
  subscriptionUsageEndpoint,
} from "./subscriptions";

export * from "./catalog";
export * from "./subscriptions";
export * from "./finance";

/** Every token API operation, in reference order: the OpenAPI document and the docs page come from this list. */
export const API_ENDPOINTS: readonly Endpoint[] = [
  searchCatalogEndpoint,
  getProductEndpoint,
  getContractEndpoint,
  listSubscriptionsEndpoint,
  subscribeEndpoint,
  rotateCredentialsEndpoint,
  subscriptionUsageEndpoint,
  listAccessRequestsEndpoint,
  approveAccessRequestEndpoint,
  denyAccessRequestEndpoint,
  chargebackEndpoint,
];

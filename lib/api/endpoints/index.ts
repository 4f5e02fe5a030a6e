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
} from "./subscriptions";
import { productUsageEndpoint, subscriptionUsageEndpoint } from "./usage";

export * from "./catalog";
export * from "./subscriptions";
export * from "./finance";
export * from "./usage";

/** Every token API operation, in reference order: the OpenAPI document and the docs page come from this list. */
export const API_ENDPOINTS: readonly Endpoint[] = [
  searchCatalogEndpoint,
  getProductEndpoint,
  getContractEndpoint,
  listSubscriptionsEndpoint,
  subscribeEndpoint,
  rotateCredentialsEndpoint,
  subscriptionUsageEndpoint,
  productUsageEndpoint,
  listAccessRequestsEndpoint,
  approveAccessRequestEndpoint,
  denyAccessRequestEndpoint,
  chargebackEndpoint,
];

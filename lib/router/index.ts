/**
 * The router: source topics → contract validation → masking per tier → delivery topics, bad
 * records → the product's DLQ. See README.md here.
 */
export { startRouter, type RouterOptions, type RouterStats, type RouterLog, type RouterLogLevel, type RunningRouter } from "./router";
export { bytesBefore, bytesBetween, recordSize } from "./byte-index";
export { compileProductRoute, routeRecord, servingVersions, type ProductRoute, type RouteOutcome } from "./plan";
export { loadRoutableProducts, type RoutableProduct } from "./queries";

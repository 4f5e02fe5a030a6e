import { getDb } from "@/db/client";
import { apiErrorResponse, invoke, type Endpoint } from "./endpoint";

type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** A Next route handler for an endpoint: `export const GET = serve(searchCatalogEndpoint)`. */
export function serve(endpoint: Endpoint): RouteHandler {
  return async (req, ctx) => invoke(endpoint, getDb(), req, (await ctx.params) ?? {});
}

export const ROUTE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

/** 405 in the API's JSON shape with an Allow header (Next's own 405 has an empty body). */
export function methodNotAllowed(allowed: readonly string[]): RouteHandler {
  return async (req) =>
    apiErrorResponse(req, "method_not_allowed", `${req.method} is not allowed here; use ${allowed.join(" or ")}. See /api/v1/openapi.json.`, { Allow: allowed.join(", ") });
}

/**
 * Every method of one API path: the endpoints' methods are served, the others answer 405.
 *   export const { GET, POST, PUT, PATCH, DELETE } = apiRoute(listSubscriptionsEndpoint, subscribeEndpoint);
 */
export function apiRoute(...endpoints: Endpoint[]): Record<RouteMethod, RouteHandler> {
  const allowed = endpoints.map((e) => e.method);
  if (new Set(allowed).size !== allowed.length) throw new Error(`two endpoints for one method on ${endpoints[0]?.path}`);
  const refuse = methodNotAllowed(allowed);
  return Object.fromEntries(ROUTE_METHODS.map((m) => [m, endpoints.find((e) => e.method === m) ? serve(endpoints.find((e) => e.method === m)!) : refuse])) as Record<
    RouteMethod,
    RouteHandler
  >;
}

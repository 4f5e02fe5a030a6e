import { getDb } from "@/db/client";
import { invoke, type Endpoint } from "./endpoint";

/** A Next route handler for an endpoint: `export const GET = serve(searchCatalogEndpoint)`. */
export function serve(endpoint: Endpoint) {
  return async (req: Request, ctx: { params: Promise<Record<string, string>> }) => invoke(endpoint, getDb(), req, (await ctx.params) ?? {});
}

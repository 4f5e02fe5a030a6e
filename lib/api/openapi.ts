import { z } from "zod";
import type { Endpoint } from "./endpoint";
import { API_ENDPOINTS } from "./endpoints";
import { API_SCOPES } from "./scopes";

/**
 * The OpenAPI 3.1 document, generated from the endpoint definitions' zod schemas (zod 4's
 * toJSONSchema), so the reference can never drift from what the API validates.
 */
const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), fieldErrors: z.record(z.string(), z.array(z.string())).optional() }),
  requestId: z.string(),
});

function schemaOf(s: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const out = z.toJSONSchema(s, { io, unrepresentable: "any" }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

function parameters(ep: Endpoint) {
  const out: Record<string, unknown>[] = [];
  const add = (obj: z.ZodObject<z.ZodRawShape> | undefined, where: "path" | "query") => {
    if (!obj) return;
    const json = schemaOf(obj, "input") as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === "path" || (json.required ?? []).includes(name), schema });
    }
  };
  add(ep.params, "path");
  add(ep.query, "query");
  return out;
}

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

export function buildOpenApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const ep of API_ENDPOINTS) {
    const op: Record<string, unknown> = {
      operationId: ep.operationId,
      summary: ep.summary,
      ...(ep.description ? { description: ep.description } : {}),
      tags: [ep.tag],
      security: [{ bearerToken: [ep.scope] }],
      "x-required-scope": ep.scope,
      parameters: parameters(ep),
      responses: {
        [String(ep.status ?? 200)]: { description: "Success", content: { "application/json": { schema: schemaOf(ep.response, "output") } } },
        "400": errorResponse("Malformed JSON body"),
        "401": errorResponse("Missing, malformed, unknown, expired or revoked token"),
        "403": errorResponse("The token lacks the scope, or its user may not do this"),
        "404": errorResponse("Not found or not visible to the caller"),
        "409": errorResponse("Conflicts with the current state"),
        "422": errorResponse("Invalid fields (see fieldErrors)"),
        "429": { ...errorResponse("Rate limit exceeded"), headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait" } } },
      },
    };
    if (ep.body) op.requestBody = { required: true, content: { "application/json": { schema: schemaOf(ep.body, "input") } } };
    (paths[ep.path] ??= {})[ep.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Tributary API",
      version: "1.0.0",
      description:
        "Automate the data marketplace: search the catalog, read contracts, subscribe, review access requests, rotate credentials and read usage. Authenticate with a personal or team API token (Settings → API tokens) as a bearer token; each operation needs the scope it names. Tokens are rate limited per minute (429 with Retry-After).",
    },
    servers: [{ url: `${serverUrl.replace(/\/$/, "")}/api/v1` }],
    paths,
    components: {
      securitySchemes: {
        bearerToken: { type: "http", scheme: "bearer", description: `Scopes: ${Object.entries(API_SCOPES).map(([k, v]) => `${k} (${v})`).join("; ")}` },
      },
      schemas: { Error: schemaOf(ErrorSchema, "output") },
    },
  };
}

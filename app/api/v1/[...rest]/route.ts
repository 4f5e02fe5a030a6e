import { apiErrorResponse } from "@/lib/api/endpoint";

export const dynamic = "force-dynamic";

/** Unknown API paths answer in JSON like the rest of the API (with the request id), not with the HTML 404 page. */
async function notFound(req: Request): Promise<Response> {
  const path = new URL(req.url).pathname;
  return apiErrorResponse(req, "not_found", `No API operation at ${req.method} ${path}. See /api/v1/openapi.json.`);
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;

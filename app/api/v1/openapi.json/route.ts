import { NextResponse } from "next/server";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { methodNotAllowed } from "@/lib/api/serve";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

/** The OpenAPI document of the token API, public (it describes, it does not grant). */
export function GET() {
  return NextResponse.json(buildOpenApiDocument(env().appUrl), { headers: { "Cache-Control": "public, max-age=300" } });
}

export const POST = methodNotAllowed(["GET"]);
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;

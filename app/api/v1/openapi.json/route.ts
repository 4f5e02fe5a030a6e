import { NextResponse } from "next/server";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

/** The OpenAPI document of the token API, public (it describes, it does not grant). */
export function GET() {
  return NextResponse.json(buildOpenApiDocument(env().appUrl), { headers: { "Cache-Control": "public, max-age=300" } });
}

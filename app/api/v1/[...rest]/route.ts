import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

/** Unknown API paths answer in JSON like the rest of the API, not with the HTML 404 page. */
function notFound(req: Request) {
  const path = new URL(req.url).pathname;
  return NextResponse.json(
    { error: { code: "not_found", message: `No API operation at ${req.method} ${path}. See /api/v1/openapi.json.` } },
    { status: 404 },
  );
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;

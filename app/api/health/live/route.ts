import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

/** Liveness of the web process: answers without touching any dependency. */
export function GET() {
  return NextResponse.json({ status: "ok", uptimeSeconds: Math.round(process.uptime()) }, { headers: { "Cache-Control": "no-store" } });
}

import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { getSessionUser } from "@/lib/auth/session";
import { KNOWN_WORKERS, readyWithinMs, workerHealth } from "@/lib/ops/health";
import { jsonRoute } from "@/lib/ops/route";

export const dynamic = "force-dynamic";

/**
 * Liveness and readiness of one worker kind, from the heartbeats its processes write:
 * GET /api/health/workers/router → 200 when ready (a live instance whose last attempt succeeded
 * and whose last success is younger than the worker's threshold), 503 otherwise; `?probe=live`
 * answers 200 as soon as one instance is alive (a process that heartbeats but keeps failing, or
 * hangs in its loop, is live, not ready).
 * Probes get states and instance counts only; a signed-in admin also gets each instance's last
 * success, last error and lag (errors can name internal hosts).
 */
export const GET = jsonRoute("health", async (req: Request, ctx: { params: Promise<{ worker: string }> }) => {
  const { worker } = await ctx.params;
  if (!(KNOWN_WORKERS as readonly string[]).includes(worker)) {
    return NextResponse.json({ error: `unknown worker "${worker}"`, known: KNOWN_WORKERS }, { status: 404 });
  }
  const probe = new URL(req.url).searchParams.get("probe") === "live" ? "live" : "ready";
  const health = (await workerHealth(getDb())).find((w) => w.worker === worker)!;
  const ok = probe === "live" ? health.live : health.ready;
  const admin = (await getSessionUser())?.roles.includes("admin") ?? false;
  const body = admin
    ? { probe, readyWithinMs: readyWithinMs(worker), ...health }
    : { probe, worker, live: health.live, ready: health.ready, instances: health.instances.filter((i) => i.alive).length };
  return NextResponse.json(body, { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
});

import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { kafkaConnectionFromEnv } from "@/lib/kafka/client";
import { readiness, workerHealth } from "@/lib/ops/health";

export const dynamic = "force-dynamic";

/**
 * Readiness of the web app: PostgreSQL and Kafka reachable (503 otherwise). Worker states are
 * reported for information; they do not make the web app unready.
 */
export async function GET() {
  const db = getDb();
  const result = await readiness(db, kafkaConnectionFromEnv());
  const workers = await workerHealth(db).catch(() => []);
  return NextResponse.json(
    { ...result, workers: workers.map((w) => ({ worker: w.worker, live: w.live, ready: w.ready, instances: w.instances.length })) },
    { status: result.status === "ready" ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}

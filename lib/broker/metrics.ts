import http from "node:http";
import type { BrokerServer } from "./server";

/**
 * Per-principal, per-topic accounting in the shape of Kafka's quota metering (KIP-55): bytes and
 * records produced and fetched, plus rejected requests. Counting is a Map update on the request
 * path; rendering happens only when /metrics is scraped.
 */
interface Counters {
  producedBytes: number;
  producedRecords: number;
  fetchedBytes: number;
  fetchedRecords: number;
  rejected: number;
}

export class Metrics {
  private readonly byKey = new Map<string, Counters>();

  private get(principal: string, topic: string): Counters {
    const key = `${principal}\u0000${topic}`;
    let c = this.byKey.get(key);
    if (!c) {
      c = { producedBytes: 0, producedRecords: 0, fetchedBytes: 0, fetchedRecords: 0, rejected: 0 };
      this.byKey.set(key, c);
    }
    return c;
  }

  produced(principal: string, topic: string, bytes: number, records: number): void {
    const c = this.get(principal, topic);
    c.producedBytes += bytes;
    c.producedRecords += records;
  }

  fetched(principal: string, topic: string, bytes: number, records: number): void {
    const c = this.get(principal, topic);
    c.fetchedBytes += bytes;
    c.fetchedRecords += records;
  }

  rejected(principal: string, topic: string): void {
    this.get(principal, topic).rejected++;
  }

  snapshot(): { principal: string; topic: string; counters: Counters }[] {
    return [...this.byKey.entries()].map(([k, counters]) => {
      const [principal, topic] = k.split("\u0000");
      return { principal, topic, counters: { ...counters } };
    });
  }

  render(server: BrokerServer): string {
    const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
    const lines: string[] = [];
    const series: [keyof Counters, string, string][] = [
      ["producedBytes", "broker_produced_bytes_total", "Record batch bytes appended"],
      ["producedRecords", "broker_produced_records_total", "Records appended"],
      ["fetchedBytes", "broker_fetched_bytes_total", "Record batch bytes returned by Fetch"],
      ["fetchedRecords", "broker_fetched_records_total", "Records at or after the fetch offset returned by Fetch"],
      ["rejected", "broker_rejected_requests_total", "Topic requests refused (authorization, validation)"],
    ];
    const snap = this.snapshot();
    for (const [field, name, help] of series) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const s of snap) lines.push(`${name}{principal="${esc(s.principal)}",topic="${esc(s.topic)}"} ${s.counters[field]}`);
    }
    lines.push("# HELP broker_requests_total Requests decoded, by API", "# TYPE broker_requests_total counter");
    for (const [api, n] of server.requestCounts) lines.push(`broker_requests_total{api="${api}"} ${n}`);
    lines.push("# HELP broker_connections Open client connections", "# TYPE broker_connections gauge");
    lines.push(`broker_connections ${server.connections.size}`);
    return lines.join("\n") + "\n";
  }
}

/** GET /metrics (Prometheus text 0.0.4) and GET /healthz. Resolves with the bound port. */
export async function startMetricsServer(
  metrics: Metrics,
  server: BrokerServer,
  host: string,
  port: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const http_ = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(metrics.render(server));
    } else if (req.method === "GET" && req.url === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, connections: server.connections.size }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    http_.once("error", reject);
    http_.listen({ host, port, ipv6Only: false }, () => resolve());
  });
  const addr = http_.address();
  return {
    port: typeof addr === "object" && addr ? addr.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        http_.closeAllConnections();
        http_.close(() => resolve());
      }),
  };
}

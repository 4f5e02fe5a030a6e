import { describe, expect, it } from "vitest";
import { proposeContract } from "./propose";

describe("proposeContract", () => {
  it("infers a schema and a field list with PII suggestions from raw messages", () => {
    const messages = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ msisdn: `+3161234${5600 + i}`, imsi: `20408000000${1000 + i}`, event_time: `2026-11-22T05:00:${String(i).padStart(2, "0")}Z`, rat: i % 2 ? "LTE" : "NR", cell: { id: i, rsrp: -90.5 } }),
    );
    const p = proposeContract(messages, { title: "Cell events" });
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.schema.title).toBe("Cell events");
    expect(p.sampleCount).toBe(12);
    const by = Object.fromEntries(p.fields.map((f) => [f.path, f]));
    expect(by.msisdn.pii).toBe("direct");
    expect(by.imsi.pii).toBe("direct");
    expect(by["cell.rsrp"].pii).toBe("none");
    expect(by.event_time.format).toBe("date-time");
    expect(p.suggestions.msisdn).toMatch(/MSISDN|E\.164/);
  });

  it("passes on the non-JSON message", () => {
    expect(proposeContract([Buffer.from([0x00, 0x01, 0xfe])])).toMatchObject({ ok: false, message: expect.stringMatching(/Upload a JSON Schema or Avro schema/) });
  });
});

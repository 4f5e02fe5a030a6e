import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { quoteYamlString, toYaml, type YamlValue } from "./yaml";

// An independent reader for round trips: js-yaml ships with eslint's toolchain (a dev dependency),
// so the test can use it while the app does not depend on it.
const jsYaml = createRequire(import.meta.url)("js-yaml") as { load(text: string): unknown };

const roundTrip = (v: YamlValue) => jsYaml.load(toYaml(v));

describe("toYaml", () => {
  it("writes nested objects and arrays in block style", () => {
    const doc = { a: 1, b: { c: [1, 2], d: { e: "x" } }, list: [{ name: "cells", props: [{ k: "v" }] }, [1, [2, 3]]] };
    expect(toYaml(doc)).toBe(
      [
        "a: 1",
        "b:",
        "  c:",
        "    - 1",
        "    - 2",
        "  d:",
        "    e: x",
        "list:",
        "  - name: cells",
        "    props:",
        "      - k: v",
        "  - - 1",
        "    - - 2",
        "      - 3",
        "",
      ].join("\n"),
    );
    expect(roundTrip(doc)).toEqual(doc);
  });

  it("writes empty collections inline", () => {
    expect(toYaml({ a: {}, b: [], c: [{}, []] })).toBe("a: {}\nb: []\nc:\n  - {}\n  - []\n");
    expect(roundTrip({ a: {}, b: [], c: [{}, []] })).toEqual({ a: {}, b: [], c: [{}, []] });
    expect(toYaml({})).toBe("{}\n");
  });

  it.each([
    "true", "False", "yes", "NO", "on", "off", "y", "n", "null", "~", "", " padded", "trailing ",
    "1.0", "3.0.0", "0x1F", "1e3", "-1", ".5", ".inf", ".NaN", "2026-01-01", "12:30",
    "a: b", "a #b", "#comment", "- item", "[x]", "{x}", "*alias", "&anchor", "!tag", "|", ">", "%x", "@x", "`x", "'q'", "\"q\"",
    "tab\there", "emoji 🚀", "ünïcödé", "back\\slash", "null\u0000byte", "line\rbreak",
  ])("quotes what a reader would misread: %j", (s) => {
    const doc = { [s]: s, list: [s] };
    expect(roundTrip(doc)).toEqual(doc);
  });

  it("leaves ordinary words plain", () => {
    for (const s of ["DataContract", "kafka", "cell-network-kpis", "Cell Network KPIs", "tributary.delivery.x.v1.public", "a/b", "SASL (SCRAM)"]) {
      expect(quoteYamlString(s)).toBe(s);
    }
  });

  it("writes multi-line strings as literal blocks that keep trailing newlines exactly", () => {
    const cases = ["two\nlines", "ends with newline\n", "ends with two\n\n", "blank\n\nmiddle", "\nleading newline", "  indented first\nline", "trailing space \nx"];
    for (const s of cases) {
      expect(roundTrip({ s })).toEqual({ s });
      expect(roundTrip([s])).toEqual([s]);
      expect(roundTrip({ deep: { list: [{ s }] } })).toEqual({ deep: { list: [{ s }] } });
    }
    expect(toYaml({ d: "a\nb" })).toBe("d: |-\n    a\n    b\n");
  });

  it("writes scalars of every type", () => {
    const doc = { t: true, f: false, n: null, i: 42, neg: -3.5, big: 1e21, nan: Number.NaN, inf: Infinity, date: new Date("2026-01-02T03:04:05Z") };
    expect(roundTrip(doc)).toEqual({ ...doc, date: "2026-01-02T03:04:05.000Z" });
  });

  it("skips undefined values in objects and writes them as null in arrays", () => {
    expect(toYaml({ a: undefined, b: 1 })).toBe("b: 1\n");
    expect(roundTrip([undefined, 1])).toEqual([null, 1]);
  });
});

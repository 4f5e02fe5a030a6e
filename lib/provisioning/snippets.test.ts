import { describe, expect, it } from "vitest";
import { buildConnectionSnippets, type SnippetInput } from "./snippets";

const input: SnippetInput = {
  bootstrap: ["kafka-1:9092", "kafka-2:9092"],
  username: "sub-5f0c9a52-1d2e-4c3b-8a7f-6e5d4c3b2a10",
  password: "s3cr'et\"pw\\x",
  topic: "tributary.delivery.cell-events.v1.masked",
  groupPrefix: "tributary.sub.5f0c9a52-1d2e-4c3b-8a7f-6e5d4c3b2a10.",
  mechanism: "SCRAM-SHA-512",
  ssl: false,
};

describe("buildConnectionSnippets", () => {
  const s = buildConnectionSnippets(input);

  it("fills bootstrap, topic, a group under the prefix and the mechanism into every snippet", () => {
    for (const text of Object.values(s)) {
      expect(text).toContain(input.topic);
      expect(text).toContain(`${input.groupPrefix}my-app`);
      expect(text).toMatch(/scram-sha-512/i);
    }
    expect(s.javaProperties).toContain("bootstrap.servers=kafka-1:9092,kafka-2:9092");
    expect(s.javaProperties).toContain("security.protocol=SASL_PLAINTEXT");
    expect(s.python).toContain(`"sasl.mechanisms": "SCRAM-SHA-512"`);
    expect(s.kcat).toContain("-X sasl.mechanisms=SCRAM-SHA-512");
    expect(buildConnectionSnippets({ ...input, ssl: true }).javaProperties).toContain("security.protocol=SASL_SSL");
  });

  it("quotes the password correctly for each language", () => {
    // JavaScript and Python: a JSON string literal evaluates back to the password.
    const js = /password: ("(?:[^"\\]|\\.)*")/.exec(s.kafkajs)![1]!;
    expect(JSON.parse(js)).toBe(input.password);
    const py = /"sasl.password": ("(?:[^"\\]|\\.)*")/.exec(s.python)![1]!;
    expect(JSON.parse(py)).toBe(input.password);
    // JAAS: backslash and double quote escaped inside double quotes.
    expect(s.javaProperties).toContain(`password="s3cr'et\\"pw\\\\x";`);
    // Shell: single quotes, with an embedded quote closed, escaped and reopened.
    expect(s.kcat).toContain(`-X sasl.password='s3cr'\\''et"pw\\x'`);
  });

  it("kcat: every option comes before the group and the topic, which end the command (portable getopt)", () => {
    const lines = s.kcat.split("\n");
    expect(lines.at(-1)).toBe(`  -G '${input.groupPrefix}my-app' '${input.topic}'`);
    expect(lines.slice(0, -1).every((l) => l.endsWith(" \\"))).toBe(true);
    expect(s.kcat.indexOf(input.topic)).toBeGreaterThan(s.kcat.lastIndexOf("-X "));
    expect(s.kcat).toContain("-X auto.offset.reset=earliest");
  });

  it("is pure: same input, same output", () => {
    expect(buildConnectionSnippets(input)).toEqual(s);
  });
});

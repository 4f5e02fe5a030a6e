import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deriveProductKey } from "@/lib/masking";
import { createKeyedHmac, encodeBase32 } from "./keys";

const secret = "a-master-secret-that-is-long-enough";

describe("deriveProductKey", () => {
  it("is stable for the same inputs and differs by product, version and secret", () => {
    const a = deriveProductKey(secret, "p-1", 1);
    expect(a).toHaveLength(32);
    expect(deriveProductKey(secret, "p-1", 1).equals(a)).toBe(true);
    expect(deriveProductKey(Buffer.from(secret), "p-1", 1).equals(a)).toBe(true);
    const others = [deriveProductKey(secret, "p-2", 1), deriveProductKey(secret, "p-1", 2), deriveProductKey(secret + "!", "p-1", 1)];
    for (const k of others) expect(k.equals(a)).toBe(false);
  });

  it("is HKDF, not a plain hash of the inputs", () => {
    const naive = createHmac("sha256", secret).update("p-1").digest();
    expect(deriveProductKey(secret, "p-1", 1).equals(naive)).toBe(false);
  });

  it("refuses weak or missing inputs", () => {
    expect(() => deriveProductKey("short", "p-1", 1)).toThrow(/at least 16 bytes/);
    expect(() => deriveProductKey(secret, "", 1)).toThrow(/product id/);
    expect(() => deriveProductKey(secret, "p-1", 0)).toThrow(/positive integer/);
    expect(() => deriveProductKey(secret, "p-1", 1.5)).toThrow(/positive integer/);
  });
});

describe("encodeBase32", () => {
  it("matches the RFC 4648 test vectors (lower case, no padding)", () => {
    const cases: [string, string][] = [
      ["", ""],
      ["f", "my"],
      ["fo", "mzxq"],
      ["foo", "mzxw6"],
      ["foob", "mzxw6yq"],
      ["fooba", "mzxw6ytb"],
      ["foobar", "mzxw6ytboi"],
    ];
    for (const [input, expected] of cases) expect(encodeBase32(Buffer.from(input))).toBe(expected);
  });
});

describe("createKeyedHmac", () => {
  it("equals node:crypto HMAC-SHA-256 for short, long, multi-byte and long-key inputs", () => {
    const texts = ["", "abc", "ü€😀", "x".repeat(341), "é".repeat(341), "y".repeat(342), "z".repeat(5000)];
    for (const key of [Buffer.alloc(32, 7), Buffer.alloc(64, 9), Buffer.alloc(100, 3)]) {
      const h = createKeyedHmac(key);
      for (const t of texts) {
        expect(h.hex(t)).toBe(createHmac("sha256", key).update(t).digest("hex"));
        expect(h.bytes(t).equals(createHmac("sha256", key).update(t).digest())).toBe(true);
      }
    }
  });

  it("returns a fresh buffer each call, not its scratch space", () => {
    const h = createKeyedHmac(Buffer.alloc(32, 1));
    const a = h.bytes("a");
    const copy = Buffer.from(a);
    h.bytes("b");
    expect(a.equals(copy)).toBe(true);
  });
});

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isSealed, openSecret, SecretBoxError, sealSecret } from "./secret-box";

const key = randomBytes(32);

function flipChar(s: string, i: number): string {
  const c = s[i] === "A" ? "B" : "A";
  return s.slice(0, i) + c + s.slice(i + 1);
}

describe("secret box", () => {
  it("round-trips UTF-8 secrets with a version prefix and never contains the clear text", () => {
    const secret = "s3cr3t-pässwörd-🔑";
    const sealed = sealSecret(secret, key, "cluster-1");
    expect(sealed.startsWith("v1:")).toBe(true);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain("s3cr3t");
    expect(openSecret(sealed, key, "cluster-1")).toBe(secret);
  });

  it("uses a fresh nonce per seal", () => {
    expect(sealSecret("same", key)).not.toBe(sealSecret("same", key));
  });

  it("detects tampering with the nonce, the ciphertext or the tag", () => {
    const sealed = sealSecret("top secret value", key);
    const [v, nonce, ct, tag] = sealed.split(":");
    for (const bad of [
      [v, flipChar(nonce, 2), ct, tag],
      [v, nonce, flipChar(ct, 1), tag],
      [v, nonce, ct, flipChar(tag, 3)],
    ]) {
      expect(() => openSecret(bad.join(":"), key)).toThrow(SecretBoxError);
    }
  });

  it("refuses a wrong key, a different binding, an unknown version and malformed input", () => {
    const sealed = sealSecret("pw", key, "cluster-1");
    expect(() => openSecret(sealed, randomBytes(32), "cluster-1")).toThrow(/wrong key or tampered/);
    expect(() => openSecret(sealed, key, "cluster-2")).toThrow(SecretBoxError);
    expect(() => openSecret(sealed.replace(/^v1:/, "v9:"), key, "cluster-1")).toThrow(/Unknown sealed secret version/);
    expect(() => openSecret("garbage", key)).toThrow(/Malformed/);
    expect(() => sealSecret("pw", Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

import { createHmac, hash, hkdfSync } from "node:crypto";

/**
 * Key handling for hash and tokenize.
 *
 * master secret ──HKDF(product id, key version)──> product key ──HKDF(label)──> hash key, token key
 *
 * One product key per (product, key version): outputs are stable across all topics, tiers and
 * contract versions of a product (so consumers can join them) and unrelated across products (so
 * two products' consumers cannot join theirs). Bumping data_products.masking_key_version rotates
 * them. Hash and tokenize use different labels so the token of a value is not its hash.
 */

/** HKDF salt: fixed, public, only separates this use of the master secret from any other. */
const SALT = "tributary/masking/v1";
const MIN_MASTER_BYTES = 16;
export const MIN_PRODUCT_KEY_BYTES = 16;

export function deriveProductKey(masterSecret: string | Uint8Array, productId: string, keyVersion: number): Buffer {
  const ikm = typeof masterSecret === "string" ? Buffer.from(masterSecret, "utf8") : Buffer.from(masterSecret);
  if (ikm.length < MIN_MASTER_BYTES) throw new Error(`The masking master secret must be at least ${MIN_MASTER_BYTES} bytes.`);
  if (!productId) throw new Error("A product id is required to derive a masking key.");
  if (!Number.isSafeInteger(keyVersion) || keyVersion < 1) throw new Error("The masking key version must be a positive integer.");
  // The version is part of `info`, so each rotation yields an independent key.
  return Buffer.from(hkdfSync("sha256", ikm, SALT, `product:${productId}:key:${keyVersion}`, 32));
}

/** HMAC-SHA-256 of a text under a fixed key, as raw bytes or lower-case hex. */
export type Hmac = { bytes(text: string): Buffer; hex(text: string): string };

const BLOCK = 64;
/** Texts up to this many UTF-16 units always fit the scratch buffer (3 UTF-8 bytes per unit). */
const FAST_MAX_UNITS = 341;

/**
 * HMAC (RFC 2104) built on the one-shot hash with the padded key blocks prepared once. Creating
 * a node:crypto Hmac object per value cost about half of each hash; this does the same
 * computation, and the tests check it against createHmac. The scratch buffers are reused, which
 * is safe because each call completes synchronously.
 */
export function createKeyedHmac(key: Uint8Array): Hmac {
  const k = key.length > BLOCK ? hash("sha256", key, "buffer") : Buffer.from(key);
  const inner = Buffer.alloc(BLOCK + FAST_MAX_UNITS * 3);
  const outer = Buffer.alloc(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    const b = i < k.length ? k[i] : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  const keyCopy = Buffer.from(key);
  // Digests are taken as "binary" (latin1) strings (one char per byte) and written back: on Node 20 the
  // one-shot hash returning a Buffer costs about three times as much as returning a string.
  const innerDigest = (text: string): Buffer | null => {
    if (text.length > FAST_MAX_UNITS) return null;
    const n = inner.write(text, BLOCK, "utf8");
    outer.write(hash("sha256", inner.subarray(0, BLOCK + n), "binary"), BLOCK, "binary");
    return outer;
  };
  return {
    bytes: (text) => (innerDigest(text) ? Buffer.from(hash("sha256", outer, "binary"), "binary") : createHmac("sha256", keyCopy).update(text).digest()),
    hex: (text) => (innerDigest(text) ? hash("sha256", outer, "hex") : createHmac("sha256", keyCopy).update(text).digest("hex")),
  };
}

export type StrategyKeys = { hash: Hmac; token: Hmac };

export function deriveStrategyKeys(productKey: Uint8Array): StrategyKeys {
  const sub = (label: string) => createKeyedHmac(Buffer.from(hkdfSync("sha256", productKey, SALT, label, 32)));
  return { hash: sub("strategy:hash"), token: sub("strategy:tokenize") };
}

const BASE32 = Buffer.from("abcdefghijklmnopqrstuvwxyz234567", "latin1");
/** Output scratch for encodeBase32 (one synchronous call at a time); longer outputs allocate. */
const BASE32_SCRATCH = Buffer.allocUnsafe(256);

/**
 * RFC 4648 base32 of the first `length` bytes, lower case, no padding. Written as ASCII codes
 * into a buffer and decoded once: appending one-character strings built a rope that every
 * later read (JSON.stringify of the masked record) had to flatten.
 */
export function encodeBase32(bytes: Uint8Array, length = bytes.length): string {
  const outLength = Math.ceil((length * 8) / 5);
  const out = outLength <= BASE32_SCRATCH.length ? BASE32_SCRATCH : Buffer.allocUnsafe(outLength);
  let o = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < length; i++) {
    buffer = (buffer << 8) | bytes[i];
    bits += 8;
    while (bits >= 5) {
      out[o++] = BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out[o++] = BASE32[(buffer << (5 - bits)) & 31];
  return out.toString("latin1", 0, o);
}

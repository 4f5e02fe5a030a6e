import { createSecretKey, hkdfSync, type KeyObject } from "node:crypto";

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

export type StrategyKeys = { hash: KeyObject; token: KeyObject };

export function deriveStrategyKeys(productKey: Uint8Array): StrategyKeys {
  const sub = (label: string) => createSecretKey(Buffer.from(hkdfSync("sha256", productKey, SALT, label, 32)));
  return { hash: sub("strategy:hash"), token: sub("strategy:tokenize") };
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** RFC 4648 base32, lower case, no padding. */
export function encodeBase32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    buffer = (buffer << 8) | bytes[i];
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

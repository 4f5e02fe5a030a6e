import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Secrets at rest (cluster admin passwords): AES-256-GCM with a random 96-bit nonce per seal.
 * Stored as `v1:<nonce b64url>:<ciphertext b64url>:<tag b64url>`; the version prefix lets a
 * later key or algorithm change read old rows. `aad` binds a ciphertext to its row (e.g. the
 * cluster id), so a sealed value copied onto another row does not open there.
 * The key comes from lib/env.ts `encryptionKey()`; this module takes it as a parameter so it
 * never reads the environment itself.
 */
const VERSION = "v1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretBoxError";
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new SecretBoxError("The encryption key must be 32 bytes.");
}

export function sealSecret(plaintext: string, key: Buffer, aad = ""): string {
  checkKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, nonce.toString("base64url"), ct.toString("base64url"), tag.toString("base64url")].join(":");
}

/** Throws SecretBoxError on an unknown version, a malformed value, a wrong key or any tampering. */
export function openSecret(sealed: string, key: Buffer, aad = ""): string {
  checkKey(key);
  const parts = sealed.split(":");
  if (parts.length !== 4) throw new SecretBoxError("Malformed sealed secret.");
  const [version, nonceB64, ctB64, tagB64] = parts;
  if (version !== VERSION) throw new SecretBoxError(`Unknown sealed secret version "${version}".`);
  const nonce = Buffer.from(nonceB64, "base64url");
  const ct = Buffer.from(ctB64, "base64url");
  const tag = Buffer.from(tagB64, "base64url");
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError("Malformed sealed secret.");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretBoxError("The sealed secret could not be opened (wrong key or tampered).");
  }
}

export function isSealed(value: string): boolean {
  return /^v\d+:/.test(value);
}

import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * SCRAM-SHA-256/512 (RFC 5802, RFC 7677) as Kafka speaks it, both ends, plus SASL/PLAIN parsing.
 *
 * The server keeps only {salt, iterations, StoredKey, ServerKey} per user and mechanism; the
 * password never reaches this module on the server side. The client side exists for the SCRAM
 * admin client in lib/kafka and for tests.
 *
 * kafkajs's parser is strict (research notes §1.4): server-first must be exactly
 * `r=...,s=...,i=...` with no extra attributes, and a server-final `e=...` is a failure, so the
 * server signals failure through the Kafka error code instead of an `e=` message.
 */

export type ScramMechanism = "SCRAM-SHA-256" | "SCRAM-SHA-512";
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ["SCRAM-SHA-256", "SCRAM-SHA-512"];

/** Kafka's ScramMechanism codes used by APIs 50/51. */
export const SCRAM_MECHANISM_CODES: Record<ScramMechanism, number> = {
  "SCRAM-SHA-256": 1,
  "SCRAM-SHA-512": 2,
};

export function scramMechanismFromCode(code: number): ScramMechanism | undefined {
  if (code === 1) return "SCRAM-SHA-256";
  if (code === 2) return "SCRAM-SHA-512";
  return undefined;
}

export function isScramMechanism(name: string): name is ScramMechanism {
  return name === "SCRAM-SHA-256" || name === "SCRAM-SHA-512";
}

/** Kafka's bounds for AlterUserScramCredentials (ScramMechanism.java min/max iterations). */
export const MIN_ITERATIONS = 4096;
export const MAX_ITERATIONS = 16384;

export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** Thrown for anything that must end the exchange with SASL_AUTHENTICATION_FAILED. */
export class SaslAuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SaslAuthenticationError";
  }
}

function digest(mechanism: ScramMechanism): { name: "sha256" | "sha512"; length: number } {
  return mechanism === "SCRAM-SHA-256" ? { name: "sha256", length: 32 } : { name: "sha512", length: 64 };
}

function hmac(mechanism: ScramMechanism, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(digest(mechanism).name, key).update(data).digest();
}

function hash(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(digest(mechanism).name).update(data).digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new SaslAuthenticationError("Invalid proof length");
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** Hi() of RFC 5802: PBKDF2 with the mechanism's HMAC, dkLen = hash length. Async: never blocks the loop. */
export function saltPassword(
  mechanism: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<Buffer> {
  const d = digest(mechanism);
  return new Promise((resolve, reject) =>
    pbkdf2(password, salt, iterations, d.length, d.name, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** What AlterUserScramCredentials carries (salt + salted password) turned into what the server stores. */
export function credentialFromSaltedPassword(
  mechanism: ScramMechanism,
  salt: Buffer,
  iterations: number,
  saltedPassword: Buffer,
): ScramCredential {
  const clientKey = hmac(mechanism, saltedPassword, "Client Key");
  return {
    salt: Buffer.from(salt),
    iterations,
    storedKey: hash(mechanism, clientKey),
    serverKey: hmac(mechanism, saltedPassword, "Server Key"),
  };
}

export async function createScramCredential(
  mechanism: ScramMechanism,
  password: string,
  opts: { iterations?: number; salt?: Buffer } = {},
): Promise<ScramCredential> {
  const iterations = opts.iterations ?? MIN_ITERATIONS;
  const salt = opts.salt ?? randomBytes(32);
  const salted = await saltPassword(mechanism, password, salt, iterations);
  return credentialFromSaltedPassword(mechanism, salt, iterations, salted);
}

/** True when `password` produces the credential's StoredKey (used for PLAIN against the SCRAM store). */
export async function verifyPasswordAgainstCredential(
  mechanism: ScramMechanism,
  password: string,
  credential: ScramCredential,
): Promise<boolean> {
  const salted = await saltPassword(mechanism, password, credential.salt, credential.iterations);
  const derived = credentialFromSaltedPassword(mechanism, credential.salt, credential.iterations, salted);
  return timingSafeEqual(derived.storedKey, credential.storedKey);
}

/** RFC 5802 saslname: "=2C" and "=3D" are the only escapes; any other "=" is invalid. */
export function decodeSaslName(value: string): string {
  if (/=(?!2C|3D)/.test(value)) throw new SaslAuthenticationError("Invalid username encoding");
  return value.replace(/=2C/g, ",").replace(/=3D/g, "=");
}

export function encodeSaslName(value: string): string {
  return value.replace(/=/g, "=3D").replace(/,/g, "=2C");
}

/** Printable ASCII except ",", as RFC 5802 requires for nonces. */
function isValidNonce(nonce: string): boolean {
  return nonce.length > 0 && /^[\x21-\x2b\x2d-\x7e]+$/.test(nonce);
}

export function generateNonce(): string {
  return randomBytes(24).toString("base64url");
}

function parseAttributes(message: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const part of message.split(",")) {
    const m = /^([a-zA-Z])=(.*)$/s.exec(part);
    if (!m) throw new SaslAuthenticationError("Invalid SCRAM message");
    if (!attrs.has(m[1])) attrs.set(m[1], m[2]);
  }
  return attrs;
}

/**
 * Looks a credential up. Returning undefined means "no such user"; the session then runs the
 * exchange against a fake credential and fails at the proof, so the step at which an exchange
 * fails never tells whether the user exists.
 */
export type CredentialLookup = (username: string, mechanism: ScramMechanism) => ScramCredential | undefined;

const fakeSaltSecret = randomBytes(32);

function fakeCredential(mechanism: ScramMechanism, username: string): ScramCredential {
  const salt = createHmac("sha256", fakeSaltSecret).update(`${mechanism}\0${username}`).digest();
  const key = randomBytes(digest(mechanism).length);
  return { salt, iterations: MIN_ITERATIONS, storedKey: key, serverKey: key };
}

/** One server-side SCRAM exchange: client-first -> server-first, client-final -> server-final. */
export class ScramServerSession {
  private state: "initial" | "sent-server-first" | "done" = "initial";
  private username = "";
  private credential?: ScramCredential;
  private userKnown = false;

  /** The stored credential the exchange is checked against (undefined for an unknown user). */
  get usedCredential(): ScramCredential | undefined {
    return this.userKnown ? this.credential : undefined;
  }
  private clientFirstBare = "";
  private serverFirst = "";
  private nonce = "";
  private gs2Header = "";

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly lookup: CredentialLookup,
    private readonly serverNonce: string = generateNonce(),
  ) {}

  /** Returns server-first. Throws SaslAuthenticationError on a malformed message. */
  handleClientFirst(message: Buffer | string): string {
    if (this.state !== "initial") throw new SaslAuthenticationError("Unexpected SCRAM client-first message");
    const text = message.toString();
    // gs2-header = cbind-flag "," [authzid] ","
    const m = /^([nyp])(=[^,]*)?,(a=[^,]*)?,(.*)$/s.exec(text);
    if (!m) throw new SaslAuthenticationError("Invalid SCRAM client-first message");
    if (m[1] === "p") throw new SaslAuthenticationError("Channel binding is not supported");
    this.gs2Header = text.slice(0, text.length - m[4].length);
    this.clientFirstBare = m[4];
    const attrs = parseAttributes(this.clientFirstBare);
    if (attrs.has("m")) throw new SaslAuthenticationError("Mandatory SCRAM extensions are not supported");
    const name = attrs.get("n");
    const clientNonce = attrs.get("r");
    if (name === undefined || name === "" || clientNonce === undefined || !isValidNonce(clientNonce)) {
      throw new SaslAuthenticationError("Invalid SCRAM client-first message");
    }
    this.username = decodeSaslName(name);
    if (m[3] !== undefined) {
      const authzid = decodeSaslName(m[3].slice(2));
      // Kafka accepts an authorization id only when it names the authenticating user.
      if (authzid !== "" && authzid !== this.username) {
        throw new SaslAuthenticationError("Authorization id does not match the user name");
      }
    }
    const found = this.lookup(this.username, this.mechanism);
    this.userKnown = found !== undefined;
    this.credential = found ?? fakeCredential(this.mechanism, this.username);
    this.nonce = clientNonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.credential.salt.toString("base64")},i=${this.credential.iterations}`;
    this.state = "sent-server-first";
    return this.serverFirst;
  }

  /** Verifies the proof and returns server-final (`v=...`). Throws SaslAuthenticationError on failure. */
  handleClientFinal(message: Buffer | string): { serverFinal: string; username: string } {
    if (this.state !== "sent-server-first" || !this.credential) {
      throw new SaslAuthenticationError("Unexpected SCRAM client-final message");
    }
    this.state = "done";
    const text = message.toString();
    const proofAt = text.lastIndexOf(",p=");
    if (proofAt < 0) throw new SaslAuthenticationError("Invalid SCRAM client-final message");
    const withoutProof = text.slice(0, proofAt);
    const attrs = parseAttributes(withoutProof);
    const proof = Buffer.from(text.slice(proofAt + 3), "base64");
    if (attrs.get("c") !== Buffer.from(this.gs2Header).toString("base64")) {
      throw new SaslAuthenticationError("Invalid channel binding");
    }
    // librdkafka 2.0.x sends r=<client nonce><server's full r>, repeating its own nonce; Kafka's
    // ScramSaslServer accepts any nonce that ends with the combined one, and so do we. The
    // server part is still required, and AuthMessage uses the message exactly as sent.
    const nonce = attrs.get("r");
    if (nonce === undefined || !nonce.endsWith(this.nonce)) throw new SaslAuthenticationError("Invalid nonce");
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.mechanism, this.credential.storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw new SaslAuthenticationError("Invalid credentials");
    const clientKey = xor(proof, clientSignature);
    const computedStoredKey = hash(this.mechanism, clientKey);
    const ok = timingSafeEqual(computedStoredKey, this.credential.storedKey) && this.userKnown;
    if (!ok) throw new SaslAuthenticationError("Invalid username or password");
    const serverSignature = hmac(this.mechanism, this.credential.serverKey, authMessage);
    return { serverFinal: `v=${serverSignature.toString("base64")}`, username: this.username };
  }
}

/** Client side of one SCRAM exchange (used by lib/kafka/scram-admin.ts and tests). */
export class ScramClientSession {
  private clientFirstBare = "";
  private expectedServerSignature?: Buffer;

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly username: string,
    private readonly password: string,
    private readonly clientNonce: string = generateNonce(),
  ) {}

  clientFirst(): string {
    this.clientFirstBare = `n=${encodeSaslName(this.username)},r=${this.clientNonce}`;
    return `n,,${this.clientFirstBare}`;
  }

  async handleServerFirst(message: Buffer | string): Promise<string> {
    const serverFirst = message.toString();
    const attrs = parseAttributes(serverFirst);
    const nonce = attrs.get("r");
    const salt = attrs.get("s");
    const iterations = Number(attrs.get("i"));
    if (!nonce || !nonce.startsWith(this.clientNonce) || nonce === this.clientNonce) {
      throw new SaslAuthenticationError("Invalid server nonce");
    }
    if (!salt || !Number.isInteger(iterations) || iterations < MIN_ITERATIONS) {
      throw new SaslAuthenticationError("Invalid SCRAM server-first message");
    }
    const saltedPassword = await saltPassword(this.mechanism, this.password, Buffer.from(salt, "base64"), iterations);
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const clientKey = hmac(this.mechanism, saltedPassword, "Client Key");
    const storedKey = hash(this.mechanism, clientKey);
    const proof = xor(clientKey, hmac(this.mechanism, storedKey, authMessage));
    const serverKey = hmac(this.mechanism, saltedPassword, "Server Key");
    this.expectedServerSignature = hmac(this.mechanism, serverKey, authMessage);
    return `${withoutProof},p=${proof.toString("base64")}`;
  }

  /** Throws unless the server proved it knows the credential. */
  verifyServerFinal(message: Buffer | string): void {
    const attrs = parseAttributes(message.toString());
    const error = attrs.get("e");
    if (error !== undefined) throw new SaslAuthenticationError(`Server rejected authentication: ${error}`);
    const v = attrs.get("v");
    if (!v || !this.expectedServerSignature) throw new SaslAuthenticationError("Invalid SCRAM server-final message");
    const got = Buffer.from(v, "base64");
    if (got.length !== this.expectedServerSignature.length || !timingSafeEqual(got, this.expectedServerSignature)) {
      throw new SaslAuthenticationError("Invalid server signature");
    }
  }
}

export interface PlainCredentials {
  authzid: string;
  username: string;
  password: string;
}

/** SASL PLAIN (RFC 4616): `authzid NUL authcid NUL passwd`. */
export function parsePlain(message: Buffer): PlainCredentials {
  const parts = message.toString("utf8").split("\0");
  if (parts.length !== 3) throw new SaslAuthenticationError("Invalid SASL/PLAIN message");
  const [authzid, username, password] = parts;
  if (username === "" || password === "") throw new SaslAuthenticationError("Invalid SASL/PLAIN message");
  // Kafka's PlainSaslServer rejects an authorization id other than the user itself.
  if (authzid !== "" && authzid !== username) {
    throw new SaslAuthenticationError("Authentication failed: Client requested an authorization id that is different from username");
  }
  return { authzid, username, password };
}

export function encodePlain(username: string, password: string): Buffer {
  return Buffer.from(`\0${username}\0${password}`, "utf8");
}

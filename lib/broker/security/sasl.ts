import type { Body, Connection } from "../server";
import { ErrorCode } from "../protocol/errors";
import type { CredentialStore } from "./credentials";
import { parsePlain, SaslAuthenticationError, ScramServerSession, type ScramMechanism } from "./scram";

/**
 * SaslHandshake (17) v0–1 and SaslAuthenticate (36) v0–1, as kafkajs and librdkafka use them
 * (research notes §1.4, §2):
 * - Handshake v1 then SaslAuthenticate requests carrying the SASL tokens (kafkajs: Authenticate
 *   v1; librdkafka 2.0.2: Authenticate v0).
 * - Handshake v0 (legacy KIP-43): the SASL tokens follow as raw size-prefixed frames with no
 *   Kafka header, answered the same way; on failure the connection is just closed.
 * Failure is SASL_AUTHENTICATION_FAILED (58) with a message, then the connection is closed
 * after a short delay (Kafka's connection.failed.authentication.delay.ms), never a SCRAM `e=`.
 */

export const ENABLED_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
type Mechanism = (typeof ENABLED_MECHANISMS)[number];

const STATE_KEY = "sasl";
const FAILED_AUTH_CLOSE_DELAY_MS = 100;

interface SaslState {
  mechanism: Mechanism;
  scram?: ScramServerSession;
}

/** Called once a connection has authenticated (metrics, logs). */
export type AuthenticatedListener = (ctx: Connection, username: string, mechanism: string) => void;

function isEnabled(m: string): m is Mechanism {
  return (ENABLED_MECHANISMS as readonly string[]).includes(m);
}

function closeSoon(ctx: Connection, reason: string): void {
  setTimeout(() => ctx.close(reason), FAILED_AUTH_CLOSE_DELAY_MS).unref();
}

/**
 * One step of the exchange: the client's token in, the server's token out. Throws
 * SaslAuthenticationError when authentication fails. Sets the principal on success.
 */
async function step(ctx: Connection, state: SaslState, credentials: CredentialStore, token: Buffer): Promise<Buffer> {
  if (state.mechanism === "PLAIN") {
    const { username, password } = parsePlain(token);
    if (!(await credentials.verifyPlain(username, password))) {
      throw new SaslAuthenticationError("Authentication failed: Invalid username or password");
    }
    succeed(ctx, username);
    return Buffer.alloc(0);
  }
  const mechanism: ScramMechanism = state.mechanism;
  if (!state.scram) {
    state.scram = new ScramServerSession(mechanism, (u, m) => credentials.get(u, m));
    return Buffer.from(state.scram.handleClientFirst(token));
  }
  const { serverFinal, username } = state.scram.handleClientFinal(token);
  // The user may have been deleted (or its password rotated) between the client's first and
  // final messages: a proof checked against the old salted material must not let it in.
  const current = credentials.get(username, mechanism);
  if (!current || current !== state.scram.usedCredential) throw new SaslAuthenticationError("Authentication failed: Invalid username or password");
  succeed(ctx, username);
  return Buffer.from(serverFinal);
}

function succeed(ctx: Connection, username: string): void {
  ctx.principal = `User:${username}`;
  ctx.authenticated = true;
  ctx.state.delete(STATE_KEY);
}

export function createSaslHandlers(credentials: CredentialStore, onAuthenticated?: AuthenticatedListener) {
  const notify = (ctx: Connection, mechanism: string) => {
    if (ctx.authenticated && onAuthenticated) onAuthenticated(ctx, ctx.principal.slice(5), mechanism);
  };

  /** Synchronous on purpose: for v0 the raw-frame mode must be on before the next frame is read. */
  function handshake(ctx: Connection, body: Body, version: number): Body {
    const mechanism = String(body.mechanism ?? "");
    const mechanisms = [...ENABLED_MECHANISMS];
    if (ctx.authenticated) {
      // No re-authentication (we answer session lifetime 0), so a second handshake is a protocol error.
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms };
    }
    if (!isEnabled(mechanism)) {
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    }
    const state: SaslState = { mechanism };
    ctx.state.set(STATE_KEY, state);
    if (version === 0) {
      ctx.rawFrameHandler = async (c, frame) => {
        try {
          const out = await step(c, state, credentials, frame);
          if (c.authenticated) {
            c.rawFrameHandler = null;
            notify(c, mechanism);
          }
          return out;
        } catch (err) {
          c.rawFrameHandler = null;
          c.close(`SASL ${mechanism} failed: ${(err as Error).message}`);
          return null;
        }
      };
    }
    return { errorCode: ErrorCode.NONE, mechanisms };
  }

  async function authenticate(ctx: Connection, body: Body): Promise<Body> {
    const fail = (errorCode: number, message: string): Body => {
      closeSoon(ctx, message);
      return { errorCode, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
    };
    const state = ctx.state.get(STATE_KEY) as SaslState | undefined;
    if (ctx.authenticated || !state) {
      return fail(ErrorCode.ILLEGAL_SASL_STATE, "SaslAuthenticate is only valid after a successful SaslHandshake");
    }
    try {
      const token = (body.authBytes as Buffer | null) ?? Buffer.alloc(0);
      const authBytes = await step(ctx, state, credentials, token);
      notify(ctx, state.mechanism);
      return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes, sessionLifetimeMs: 0n };
    } catch (err) {
      ctx.state.delete(STATE_KEY);
      const message = err instanceof SaslAuthenticationError ? err.message : "Authentication failed";
      return fail(ErrorCode.SASL_AUTHENTICATION_FAILED, message);
    }
  }

  return { handshake, authenticate };
}

import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { apiTokens, teams } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { loadSessionUser } from "@/lib/auth/queries";
import { isFinance, isOwnerOfTeam, type SessionUser } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { ALL_SCOPES, type ApiScope } from "./scopes";

/**
 * Personal and team API tokens. The token is `trb_<40 base64url chars>`; it is shown once at
 * creation and only its SHA-256 is stored (a token is 240 random bits, so a fast hash is enough:
 * there is nothing to brute-force). The first 12 characters are kept in clear so people can tell
 * tokens apart in lists and logs.
 */
export const TOKEN_PREFIX = "trb_";
const PREFIX_CHARS = 12;
export const MAX_TOKEN_DAYS = 365;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(30).toString("base64url");
}

export const CreateTokenSchema = z.object({
  name: z.string().trim().min(1, "Give the token a name").max(100, "At most 100 characters"),
  // A checkbox group posts one value as a string and none as nothing.
  scopes: z.preprocess(
    (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.enum(ALL_SCOPES as [ApiScope, ...ApiScope[]], { error: "Unknown scope" })).min(1, "Choose at least one scope"),
  ),
  expiresInDays: z.coerce
    .number({ error: "Enter a number of days" })
    .int("Whole days only")
    .min(1, "At least 1 day")
    .max(MAX_TOKEN_DAYS, `At most ${MAX_TOKEN_DAYS} days`),
  /** Set for a team token; the creator must own the team. */
  teamId: z.uuid().optional().or(z.literal("").transform(() => undefined)),
});
export type CreateTokenInput = z.infer<typeof CreateTokenSchema>;

export type CreatedToken = { id: string; token: string; prefix: string; expiresAt: Date; scopes: ApiScope[]; teamId: string | null };

const actor = (u: SessionUser) => ({ type: "user" as const, id: u.id, label: u.email });

export async function createApiToken(db: Db, user: SessionUser, input: CreateTokenInput, now = new Date()): Promise<CreatedToken> {
  const scopes = [...new Set(input.scopes)];
  if (input.teamId && !isOwnerOfTeam(user, input.teamId)) {
    throw new AppError("forbidden", "Only owners of a team can create tokens for it.");
  }
  if (scopes.includes("finance:read") && (input.teamId || !isFinance(user))) {
    throw new AppError("validation", undefined, {
      fieldErrors: { scopes: [input.teamId ? "Team tokens cannot read finance data" : "Only finance and admin users can grant finance:read"] },
    });
  }
  const token = generateToken();
  const expiresAt = new Date(now.getTime() + input.expiresInDays * 86400_000);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({
        name: input.name,
        userId: user.id,
        teamId: input.teamId ?? null,
        prefix: token.slice(0, PREFIX_CHARS),
        tokenHash: hashToken(token),
        scopes,
        expiresAt,
      })
      .returning({ id: apiTokens.id, prefix: apiTokens.prefix });
    await recordAudit(tx, {
      actor: actor(user),
      action: "api_token.create",
      resource: { type: "api_token", id: row!.id },
      details: { name: input.name, scopes, teamId: input.teamId ?? null, expiresAt: expiresAt.toISOString(), prefix: row!.prefix },
    });
    return { id: row!.id, token, prefix: row!.prefix, expiresAt, scopes, teamId: input.teamId ?? null };
  });
}

export type TokenListItem = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  team: { id: string; name: string } | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  mine: boolean;
};

/** The user's personal tokens and the tokens of teams they own. */
export async function listApiTokens(db: Db, user: SessionUser): Promise<TokenListItem[]> {
  const owned = user.teams.filter((t) => t.role === "owner").map((t) => t.id);
  const rows = await db
    .select({ t: apiTokens, teamName: teams.name })
    .from(apiTokens)
    .leftJoin(teams, eq(teams.id, apiTokens.teamId))
    .where(
      owned.length
        ? or(and(eq(apiTokens.userId, user.id), isNull(apiTokens.teamId)), inArray(apiTokens.teamId, owned))
        : and(eq(apiTokens.userId, user.id), isNull(apiTokens.teamId)),
    )
    .orderBy(desc(apiTokens.createdAt));
  return rows.map(({ t, teamName }) => ({
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    team: t.teamId ? { id: t.teamId, name: teamName ?? "" } : null,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    revokedAt: t.revokedAt,
    mine: t.userId === user.id,
  }));
}

export async function revokeApiToken(db: Db, user: SessionUser, input: { tokenId: string }, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(apiTokens).where(eq(apiTokens.id, input.tokenId)).for("update");
    if (!row) throw new AppError("not_found", "This token does not exist.");
    const allowed = row.teamId ? isOwnerOfTeam(user, row.teamId) : row.userId === user.id;
    if (!allowed) throw new AppError("forbidden", "You can only revoke your own tokens or your team's.");
    if (row.revokedAt) return;
    await tx.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, row.id));
    await recordAudit(tx, { actor: actor(user), action: "api_token.revoke", resource: { type: "api_token", id: row.id }, details: { prefix: row.prefix } });
  });
}

export type AuthenticatedToken = {
  id: string;
  prefix: string;
  scopes: ApiScope[];
  teamId: string | null;
  /** Who the token acts as: its user, narrowed to the token's team and without global roles for team tokens. */
  user: SessionUser;
};

/**
 * Resolves a bearer token, or throws `unauthenticated` with a reason a client can act on. The
 * user is re-read on every request: a disabled user or a lost team role takes effect at once.
 */
export async function authenticateApiToken(db: Db, raw: string, now = new Date()): Promise<AuthenticatedToken> {
  if (!raw.startsWith(TOKEN_PREFIX) || raw.length < 20 || raw.length > 200) throw new AppError("unauthenticated", "The API token is malformed.");
  const hash = hashToken(raw);
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hash)).limit(1);
  // Looked up by its hash: the index compares hashes, never the token itself.
  if (!row) throw new AppError("unauthenticated", "The API token is not valid.");
  if (row.revokedAt) throw new AppError("unauthenticated", "The API token was revoked.");
  if (row.expiresAt && row.expiresAt <= now) throw new AppError("unauthenticated", "The API token has expired.");
  const owner = row.userId ? await loadSessionUser(db, row.userId) : null;
  if (!owner) throw new AppError("unauthenticated", "The API token's user is disabled or gone.");
  let user: SessionUser = owner;
  if (row.teamId) {
    const team = owner.teams.find((t) => t.id === row.teamId);
    if (!team) throw new AppError("unauthenticated", "The token's creator is no longer a member of its team.");
    user = { ...owner, roles: [], teams: [team] };
  }
  // Coarse: one write per token per minute at most.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id));
  }
  return { id: row.id, prefix: row.prefix, scopes: row.scopes.filter((s): s is ApiScope => (ALL_SCOPES as string[]).includes(s)), teamId: row.teamId, user };
}

/** Fixed one-minute windows per key in PostgreSQL, so every web process shares the count. */
export async function consumeRateLimit(
  db: Db,
  key: string,
  limit: number,
  opts: { windowMs?: number; now?: Date } = {},
): Promise<{ allowed: boolean; limit: number; remaining: number; retryAfterSeconds: number }> {
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? new Date();
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const [row] = await db.execute<{ count: number }>(sql`
    insert into rate_limit_windows (key, window_start, count) values (${key}, ${windowStart.toISOString()}, 1)
    on conflict (key) do update set
      count = case when rate_limit_windows.window_start = excluded.window_start then rate_limit_windows.count + 1 else 1 end,
      window_start = excluded.window_start
    returning count`);
  const count = Number(row!.count);
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000));
  return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), retryAfterSeconds };
}

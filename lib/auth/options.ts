import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { applyNextAuthEnv, authSecret, oidcConfig } from "@/lib/env";
import { clientIpFrom } from "@/lib/ops/context";
import { sameOriginPath } from "./callback-url";
import { authorizeCredentials } from "./credentials";
import { resolveOidcUser } from "./oidc";
import { SignInSchema } from "./schemas";

export const OIDC_PROVIDER_ID = "oidc";

/**
 * Errors thrown from authorize() reach the browser as `?error=<message>` (or `result.error`),
 * so they are short codes the sign-in form turns into sentences, never internal detail.
 */
export const signInErrorCodes = {
  locked: "locked",
  disabled: "disabled",
  noAccount: "NoAccount",
} as const;

/** First hop of X-Forwarded-For (set by our reverse proxy), else X-Real-IP (lib/ops/context.ts). */
export function clientIp(headers: Record<string, string | string[] | undefined> | undefined): string | null {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return clientIpFrom({ get: (name) => first(headers?.[name]) ?? null });
}

type OidcProfile = { sub: string; email?: string; email_verified?: boolean; name?: string; preferred_username?: string };

function oidcProvider(): OAuthConfig<OidcProfile> | null {
  const cfg = oidcConfig();
  if (!cfg) return null;
  return {
    id: OIDC_PROVIDER_ID,
    name: cfg.name,
    type: "oauth",
    wellKnown: `${cfg.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: cfg.clientId,
    clientSecret: cfg.clientSecret,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile(profile) {
      return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.preferred_username ?? profile.email ?? null };
    },
  };
}

/**
 * Built on first use rather than at import, so `next build` (which imports route modules)
 * never needs AUTH_SECRET or a database.
 */
let cached: NextAuthOptions | undefined;
export function authOptions(): NextAuthOptions {
  cached ??= buildAuthOptions();
  return cached;
}

export function buildAuthOptions(): NextAuthOptions {
  applyNextAuthEnv();
  const oidc = oidcProvider();
  return {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const parsed = SignInSchema.safeParse(credentials ?? {});
          if (!parsed.success) return null;
          const result = await authorizeCredentials(getDb(), parsed.data.email, parsed.data.password, clientIp(req?.headers));
          if (result.ok) return result.user;
          if (result.reason === "locked") throw new Error(`${signInErrorCodes.locked}:${result.retryAfterMinutes}`);
          if (result.reason === "disabled") throw new Error(signInErrorCodes.disabled);
          return null;
        },
      }),
      ...(oidc ? [oidc] : []),
    ],
    events: {
      async signOut({ token }) {
        if (!token?.sub) return;
        await recordAudit(getDb(), {
          actor: { type: "user", id: token.sub, label: token.email ?? null },
          action: "auth.sign_out",
          resource: { type: "user", id: token.sub },
        });
      },
    },
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        const p = profile as OidcProfile | undefined;
        if (!p?.sub) return `/sign-in?error=${signInErrorCodes.noAccount}`;
        const userId = await resolveOidcUser(getDb(), {
          sub: p.sub,
          email: p.email,
          emailVerified: p.email_verified,
          name: p.name ?? p.preferred_username,
        });
        return userId ? true : `/sign-in?error=${signInErrorCodes.noAccount}`;
      },
      async jwt({ token, user, account }) {
        // For OIDC, next-auth's user.id is the provider's subject; the session must carry ours.
        if (account?.provider === OIDC_PROVIDER_ID) {
          const [row] = await getDb()
            .select({ id: users.id })
            .from(users)
            .where(eq(users.oidcSubject, account.providerAccountId))
            .limit(1);
          if (row) token.sub = row.id;
        } else if (user) {
          token.sub = user.id;
        }
        return token;
      },
      async session({ session, token }) {
        // Only the id matters: getSessionUser() re-reads everything else from the database.
        return { ...session, user: { ...session.user, id: token.sub } };
      },
      // Sign-in and sign-out redirects stay on this site; anything else lands on the catalog.
      async redirect({ url, baseUrl }) {
        const path = sameOriginPath(url.startsWith(baseUrl) ? url.slice(baseUrl.length) || "/" : url);
        return `${baseUrl}${path ?? "/catalog"}`;
      },
    },
  };
}

import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { cookies } from "next/headers";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { authenticate } from "./users";
import { signInSchema } from "./schemas";
import { resolveOAuthUser } from "./oauth-users";
import { LINK_INTENT_COOKIE, openLinkIntent } from "./link-intent";
import { oauthProviderList, providerVerifiedEmail } from "./providers";
import { sendVerificationEmail } from "./verification";
import { authUrl } from "./auth-url";
import { limiterAddress } from "./client-address";
import { endSessions, isSessionCurrent, sessionVersionOf } from "./sessions";

/** Sign-in refused by the rate limit: Auth.js passes `code` on (the form and the route answer 429 from it). */
export class SignInRateLimited extends CredentialsSignin {
  code = "rate_limited";
  constructor(readonly retryAfter: number, message: string) {
    super(message);
  }
}

function providers(): NextAuthConfig["providers"] {
  const e = env();
  const list: NextAuthConfig["providers"] = [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw, request) {
        const parsed = signInSchema.safeParse(raw);
        if (!parsed.success) return null;
        try {
          const user = await authenticate(db(), parsed.data.email, parsed.data.password, { address: limiterAddress(request.headers, env().TRUST_PROXY) });
          return user ? { id: user.id, email: user.email, name: user.name } : null;
        } catch (e) {
          if (isAppError(e) && e.code === "rate_limited") throw new SignInRateLimited(Number(e.details?.retryAfter ?? 60), e.message);
          throw e;
        }
      },
    }),
  ];
  return [...list, ...oauthProviderList(e)];
}

export const oauthProviders = () => ({ github: !!(env().AUTH_GITHUB_ID && env().AUTH_GITHUB_SECRET), google: !!(env().AUTH_GOOGLE_ID && env().AUTH_GOOGLE_SECRET) });

export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  // Auth.js builds its URLs from AUTH_URL: APP_URL, so a server action and the route agree (lib/auth/auth-url.ts).
  process.env.AUTH_URL ??= authUrl(env().APP_URL);
  return authConfig();
});

function authConfig(): NextAuthConfig {
  return {
    secret: env().AUTH_SECRET,
    // Credentials sign-in requires JWT sessions; the token carries only the user id.
    session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
    trustHost: true,
    pages: { signIn: "/sign-in" },
    providers: providers(),
    callbacks: {
      // OAuth only: decides which Tally user this identity is (lib/auth/oauth-users.ts has the linking rule).
      // A refusal sends the browser back with the reason: to sign-in, or to account settings when linking.
      async signIn({ account, profile, user }) {
        if (!account || account.provider === "credentials") return true;
        const jar = await cookies();
        const intent = openLinkIntent(env().AUTH_SECRET, jar.get(LINK_INTENT_COOKIE)?.value, account.provider);
        if (jar.get(LINK_INTENT_COOKIE)) jar.delete(LINK_INTENT_COOKIE);
        // A link asked for in settings counts only while the session that asked is still current.
        const linkTo = intent && (await isSessionCurrent(db(), { uid: intent.uid, sv: intent.sv })) ? intent.uid : undefined;
        const outcome = await resolveOAuthUser(db(), {
          provider: account.provider,
          providerAccountId: account.providerAccountId,
          email: (profile?.email as string | undefined) ?? user?.email,
          emailVerified: providerVerifiedEmail(account.provider, profile as Record<string, unknown> | undefined),
          name: (profile?.name as string | undefined) ?? user?.name,
        }, { linkTo });
        if (!outcome.ok) return linkTo ? `/account?link_error=${outcome.refusal}` : `/sign-in?error=${outcome.refusal}`;
        if (outcome.created) await sendVerificationEmail(db(), outcome.userId);
        return true;
      },
      // Runs at sign-in (with `user`) and on every session read after. The token carries the user's
      // session version from sign-in; a read whose version is no longer the user's (signed out since,
      // password changed) ends the session: null makes Auth.js drop the cookie and answer "no session".
      async jwt({ token, user, account }) {
        let uid: string | undefined;
        if (account && account.provider !== "credentials") {
          // The signIn callback above linked the identity (or refused, and then this never runs).
          const linked = await db().account.findUnique({ where: { provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId } }, select: { userId: true } });
          if (!linked) return null;
          uid = linked.userId;
        } else if (user?.id) {
          uid = user.id;
        }
        if (uid) {
          const sv = await sessionVersionOf(db(), uid);
          return sv === null ? null : { ...token, uid, sv };
        }
        return (await isSessionCurrent(db(), token)) ? token : null;
      },
      session({ session, token }) {
        if (typeof token.uid === "string") session.user.id = token.uid;
        return session;
      },
    },
    events: {
      // Sign-out ends the session on the server too: a copy of the token (another tab, a stolen cookie)
      // stops working. It ends the user's other sessions as well; the version is per user.
      async signOut(message) {
        const uid = "token" in message ? message.token?.uid : undefined;
        if (typeof uid === "string") await endSessions(db(), uid);
      },
    },
  };
}

import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import Google from "next-auth/providers/google";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { authenticate } from "./users";
import { signInSchema } from "./schemas";
import { findOrCreateOAuthUser } from "./oauth-users";
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
  // OAuth switches on only when its credentials are configured.
  if (e.AUTH_GITHUB_ID && e.AUTH_GITHUB_SECRET) list.push(GitHub({ clientId: e.AUTH_GITHUB_ID, clientSecret: e.AUTH_GITHUB_SECRET }));
  if (e.AUTH_GOOGLE_ID && e.AUTH_GOOGLE_SECRET) list.push(Google({ clientId: e.AUTH_GOOGLE_ID, clientSecret: e.AUTH_GOOGLE_SECRET }));
  return list;
}

export const oauthProviders = () => ({ github: !!(env().AUTH_GITHUB_ID && env().AUTH_GITHUB_SECRET), google: !!(env().AUTH_GOOGLE_ID && env().AUTH_GOOGLE_SECRET) });

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: env().AUTH_SECRET,
  // Credentials sign-in requires JWT sessions; the token carries only the user id.
  session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
  trustHost: true,
  pages: { signIn: "/sign-in" },
  providers: providers(),
  callbacks: {
    // Runs at sign-in (with `user`) and on every session read after. The token carries the user's
    // session version from sign-in; a read whose version is no longer the user's (signed out since,
    // password changed) ends the session: null makes Auth.js drop the cookie and answer "no session".
    async jwt({ token, user, account, profile }) {
      let uid: string | undefined;
      if (account && account.provider !== "credentials") {
        const u = await findOrCreateOAuthUser(db(), { provider: account.provider, providerAccountId: account.providerAccountId, email: profile?.email ?? user?.email, name: profile?.name ?? user?.name });
        uid = u.id;
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
}));

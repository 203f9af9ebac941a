import type { NextAuthConfig } from "next-auth";
import GitHub from "next-auth/providers/github";
import Google from "next-auth/providers/google";
import type { Env } from "@/lib/env";

type Providers = NextAuthConfig["providers"];

/** The OAuth providers whose credentials are configured (each switches on only then). */
export function oauthProviderList(e: Env): Providers {
  const list: Providers = [];
  if (e.AUTH_GITHUB_ID && e.AUTH_GITHUB_SECRET) list.push(GitHub({ clientId: e.AUTH_GITHUB_ID, clientSecret: e.AUTH_GITHUB_SECRET, userinfo: { url: "https://api.github.com/user", request: githubProfile } }));
  // AUTH_GOOGLE_ISSUER points Google's OpenID Connect discovery at another issuer (tests run a local one; refused in production).
  if (e.AUTH_GOOGLE_ID && e.AUTH_GOOGLE_SECRET) list.push(Google({ clientId: e.AUTH_GOOGLE_ID, clientSecret: e.AUTH_GOOGLE_SECRET, ...(e.AUTH_GOOGLE_ISSUER ? { issuer: e.AUTH_GOOGLE_ISSUER } : {}) }));
  return list;
}

/**
 * GitHub's profile with the account's primary email and whether GitHub verified it. The public profile
 * email can be any address the user typed; only a verified primary one may join an existing account.
 */
async function githubProfile({ tokens }: { tokens: { access_token?: string } }) {
  const headers = { Authorization: `Bearer ${tokens.access_token}`, "User-Agent": "tally" };
  const profile = (await fetch("https://api.github.com/user", { headers }).then((r) => r.json())) as Record<string, unknown>;
  const emails = (await fetch("https://api.github.com/user/emails", { headers }).then((r) => (r.ok ? r.json() : []))) as { email: string; primary: boolean; verified: boolean }[];
  const primary = Array.isArray(emails) ? emails.find((e) => e.primary) : undefined;
  return { ...profile, email: primary?.email ?? profile.email ?? null, email_verified: primary?.verified === true };
}

/** Whether the provider vouches for the email of this sign-in (Google's email_verified claim, GitHub's verified primary email). */
export function providerVerifiedEmail(provider: string, profile: Record<string, unknown> | undefined | null): boolean {
  if (provider === "google" || provider === "github") return profile?.email_verified === true;
  return false;
}

import { ArrowLeft, LogOut } from "lucide-react";
import Link from "next/link";
import { BrandLink } from "@/components/ui/brand";
import { db } from "@/lib/db";
import { oauthProviders } from "@/lib/auth/config";
import { oauthRefusalMessages, type OAuthRefusal } from "@/lib/auth/oauth-users";
import { Button } from "@/components/ui/button";
import { requireUserId } from "@/lib/server/session";
import { Card } from "@/components/ui/card";
import { signOutAction } from "@/app/(auth)/actions";
import { ChangePasswordForm, ResendVerificationForm } from "./account-forms";
import { linkProviderAction } from "./actions";

const PROVIDERS = { google: "Google", github: "GitHub" } as const;

export const metadata = { title: "Account" };

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ linked?: string; link_error?: string; password?: string }> }) {
  const { linked, link_error: linkError, password } = await searchParams;
  const userId = await requireUserId();
  const user = await db().user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true, emailVerified: true, passwordHash: true, accounts: { select: { provider: true } } } });
  const enabled = oauthProviders();
  const providers = (Object.keys(PROVIDERS) as (keyof typeof PROVIDERS)[]).filter((p) => enabled[p] || user.accounts.some((a) => a.provider === p));
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-3xl items-center gap-3 px-4 py-3">
          <BrandLink href="/app" className="[&>span]:sr-only sm:[&>span]:not-sr-only" />
          <Link href="/app" className="inline-flex items-center gap-1 text-sm text-slate-700 underline-offset-4 hover:underline"><ArrowLeft aria-hidden="true" className="size-4" />Back to your workspace</Link>
          <form action={signOutAction} className="ml-auto shrink-0">
            <button type="submit" className="inline-flex items-center gap-1.5 whitespace-nowrap rounded-md px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-100 sm:px-3"><LogOut aria-hidden="true" className="size-4" />Sign out</button>
          </form>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-3xl space-y-6 px-4 py-6">
        <h1 className="text-2xl font-semibold">Account</h1>
        {password === "changed" && <p role="status" className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">Your password was changed. Every other session of the account was signed out.</p>}
        {linkError && Object.hasOwn(oauthRefusalMessages, linkError) && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{oauthRefusalMessages[linkError as OAuthRefusal]}</p>}
        {linked && Object.hasOwn(PROVIDERS, linked) && user.accounts.some((a) => a.provider === linked) && (
          <p role="status" className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">{PROVIDERS[linked as keyof typeof PROVIDERS]} is linked: you can sign in with it from now on.</p>
        )}
        <Card title="Email address">
          <p className="break-all text-sm text-slate-900">{user.email}</p>
          {user.emailVerified ? (
            <p className="mt-1 text-sm text-green-800">Verified on {user.emailVerified.toUTCString().slice(0, 16)}.</p>
          ) : (
            <div className="mt-2 space-y-3">
              <p className="text-sm text-amber-900">Not verified yet. Until you open the link we emailed you, you cannot start a trial or change billing.</p>
              <ResendVerificationForm />
            </div>
          )}
        </Card>
        {providers.length > 0 && (
          <Card title="Sign-in providers">
            <p className="mb-3 text-sm text-slate-600">Link a provider to sign in with it as this account. Only you can link one, from here, while signed in.</p>
            <ul className="divide-y divide-slate-100">
              {providers.map((p) => (
                <li key={p} className="flex items-center justify-between gap-3 py-2 text-sm">
                  <span>{PROVIDERS[p]}</span>
                  {user.accounts.some((a) => a.provider === p) ? (
                    <span className="text-green-800">Linked</span>
                  ) : (
                    <form action={linkProviderAction}>
                      <input type="hidden" name="provider" value={p} />
                      <Button type="submit" variant="secondary">Link {PROVIDERS[p]}</Button>
                    </form>
                  )}
                </li>
              ))}
            </ul>
          </Card>
        )}
        <Card title="Password">
          {user.passwordHash ? (
            <>
              <p className="mb-4 text-sm text-slate-600">Changing it signs the account out everywhere else; this browser stays signed in.</p>
              <ChangePasswordForm email={user.email} />
            </>
          ) : (
            <p className="text-sm text-slate-600">
              You sign in with a provider and have no password. To add one, use{" "}
              <Link href="/forgot-password" className="font-medium text-brand-700 underline">Forgot your password?</Link> and follow the emailed link.
            </p>
          )}
        </Card>
      </main>
    </div>
  );
}

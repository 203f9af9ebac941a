import { LogOut, UserRound } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { BrandLink } from "@/components/ui/brand";
import { roleLabel } from "@/lib/format";
import { db } from "@/lib/db";
import { requireWorkspacePage } from "@/lib/server/session";
import { workspacesOf } from "@/lib/workspaces/access";
import { WorkspaceNav } from "@/components/app/workspace-nav";
import { WorkspaceSwitcher } from "@/components/app/workspace-switcher";
import { VerifyEmailNotice } from "@/components/app/verify-email-notice";
import { signOutAction } from "@/app/(auth)/actions";

export default async function WorkspaceLayout({ children, params }: { children: React.ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, role, userId } = await requireWorkspacePage(slug);
  const [workspaces, viewer] = await Promise.all([
    workspacesOf(db(), userId),
    db().user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, emailVerified: true } }),
  ]);
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-3 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:font-medium focus:shadow">
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center gap-2 px-4 py-3 sm:gap-3">
          <BrandLink href="/app" className="[&>span]:sr-only sm:[&>span]:not-sr-only" />
          <WorkspaceSwitcher current={workspace.slug} workspaces={workspaces} />
          <Badge className="shrink-0" title="Your role in this workspace">{roleLabel(role)}</Badge>
          {/* An icon on phones, so the workspace name keeps its room; the word from sm up (the link's name either way). */}
          <Link href="/account" title="Account" className="ml-auto inline-flex shrink-0 items-center gap-1.5 whitespace-nowrap rounded-md px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-100 sm:px-3">
            <UserRound aria-hidden="true" className="size-5 sm:size-4" />
            <span className="sr-only sm:not-sr-only">Account</span>
          </Link>
          <form action={signOutAction} className="shrink-0">
            <button type="submit" className="inline-flex items-center gap-1.5 whitespace-nowrap rounded-md px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-100 sm:px-3"><LogOut aria-hidden="true" className="size-5 sm:size-4" /><span className="sr-only sm:not-sr-only">Sign out</span></button>
          </form>
        </div>
        <WorkspaceNav slug={workspace.slug} />
      </header>
      {!viewer.emailVerified && <VerifyEmailNotice email={viewer.email} />}
      <main id="main" tabIndex={-1} className="mx-auto max-w-6xl px-4 py-6 focus:outline-none">{children}</main>
    </div>
  );
}

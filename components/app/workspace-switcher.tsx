"use client";

import { useRouter } from "next/navigation";

export function WorkspaceSwitcher({ current, workspaces }: { current: string; workspaces: { slug: string; name: string }[] }) {
  const router = useRouter();
  return (
    <label className="flex min-w-0 items-center gap-2 text-sm">
      <span className="sr-only">Workspace</span>
      <select
        value={current}
        onChange={(e) => router.push(`/w/${e.target.value}/billing`)}
        className="w-full min-w-0 max-w-[14rem] truncate rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm font-medium"
      >
        {workspaces.map((w) => (
          <option key={w.slug} value={w.slug}>{w.name}</option>
        ))}
      </select>
    </label>
  );
}

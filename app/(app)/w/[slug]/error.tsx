"use client";

import { ErrorState } from "@/components/ui/error-state";

// Inside the workspace's header and tabs, so the way on stays in view.
export default function WorkspaceError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorState error={error} reset={reset} home="/app" homeLabel="Back to your workspace" />;
}

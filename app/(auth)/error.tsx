"use client";

import { ErrorState } from "@/components/ui/error-state";

export default function RouteError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorState error={error} reset={reset} home="/sign-in" homeLabel="Go to sign in" />;
}

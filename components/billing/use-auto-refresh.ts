"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

export interface AutoRefreshPace {
  /** Between refreshes at first, */
  fastMs: number;
  /** for this long, */
  fastForMs: number;
  /** then between refreshes until */
  slowMs: number;
  /** this long has passed, when it stops. */
  giveUpAfterMs: number;
}

/**
 * Re-renders the server page (router.refresh) on a pace while `active`, so a page waiting on something that happens
 * elsewhere (Stripe confirming a payment, a first API call) shows it with no reload by hand. It stops when the
 * caller stops being active or after `giveUpAfterMs`; `retry` starts it again.
 */
export function useAutoRefresh(active: boolean, pace: AutoRefreshPace): { gaveUp: boolean; retry: () => void } {
  const router = useRouter();
  const [startedAt, setStartedAt] = useState(() => Date.now());
  const [gaveUp, setGaveUp] = useState(false);
  const { fastMs, fastForMs, slowMs, giveUpAfterMs } = pace;

  useEffect(() => {
    if (!active || gaveUp) return;
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      const elapsed = Date.now() - startedAt;
      if (elapsed >= giveUpAfterMs) {
        setGaveUp(true);
        return;
      }
      // A hidden tab waits for its next turn instead of asking the server for nothing.
      if (document.visibilityState === "visible") router.refresh();
      timer = setTimeout(tick, elapsed < fastForMs ? fastMs : slowMs);
    };
    timer = setTimeout(tick, fastMs);
    return () => clearTimeout(timer);
  }, [router, active, gaveUp, startedAt, fastMs, fastForMs, slowMs, giveUpAfterMs]);

  return {
    gaveUp,
    retry: () => {
      setGaveUp(false);
      setStartedAt(Date.now());
      router.refresh();
    },
  };
}

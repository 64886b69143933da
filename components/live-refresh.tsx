"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Re-renders the server page every `ms` while `active` (something is still being processed),
 * paused while the tab is hidden and refreshed at once when it shows again.
 */
export function useLiveRefresh(active: boolean, ms = 2000): void {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      timer ??= setInterval(() => router.refresh(), ms);
    };
    const stop = () => {
      clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.hidden) return stop();
      router.refresh();
      start();
    };
    if (!document.hidden) start();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stop();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [active, ms, router]);
}

/** The hook as a component, for server pages that know whether anything is still processing. */
export function LiveRefresh({ active, ms = 2000 }: { active: boolean; ms?: number }) {
  useLiveRefresh(active, ms);
  return null;
}

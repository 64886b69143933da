import { after } from "next/server";

/**
 * Runs `task` once the response has been sent (Next's `after`). Outside a Next request (tests,
 * scripts) there is no response to wait for, so it starts at once. Never throws: the response
 * must not fail because background work could not be scheduled.
 */
export function afterResponse(task: () => unknown): void {
  try {
    after(async () => {
      await task();
    });
  } catch {
    void Promise.resolve()
      .then(task)
      .catch((err: unknown) => console.error("[after] background task failed:", err));
  }
}

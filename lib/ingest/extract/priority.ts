import { readdirSync } from "node:fs";
import { setPriority } from "node:os";

// OCR and rendering threads run at a lower scheduling priority (nice +10) than the thread that
// answers requests: on a small machine they would otherwise take every core and make searches
// and page loads wait. Idle cores are still theirs, so throughput is unchanged when nothing else
// runs. Linux only (threads are tasks under /proc/self/task); elsewhere this does nothing.

export function threadIds(): Set<string> {
  try {
    return new Set(readdirSync("/proc/self/task"));
  } catch {
    return new Set();
  }
}

/** Lowers the priority of the threads started since `before` was taken. */
export function deprioritizeNewThreads(before: Set<string>): void {
  for (const tid of threadIds()) {
    if (before.has(tid)) continue;
    try {
      setPriority(Number(tid), 10);
    } catch {
      // Not permitted or already gone: the thread keeps its priority.
    }
  }
}

/**
 * `work`'s outcome, or `late()`'s once `ms` have passed without one (what `late` returns is the
 * value, what it throws the error). The work is not cancelled: it goes on and its outcome is
 * dropped (a query in flight cannot be taken back). The one timer race of the server: request
 * deadlines, the health check, the stalled-pool probe.
 */
export async function unlessLate<T, L>(work: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<L>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (err) {
        reject(err);
      }
    }, ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

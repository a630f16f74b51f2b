/**
 * Turn a push source into an async iterable that always yields the newest value and never queues: while the
 * consumer is busy (or `congested()` says its socket is full), newer values overwrite older ones. This is how
 * every live subscription is served: a slow client gets the latest state, not a backlog.
 *
 * `listen` registers a push callback and returns the function that unregisters it; it runs when iteration
 * starts and its undo runs when iteration ends (abort, return or error).
 */
export async function* latestValues<T>(
  listen: (push: (value: T) => void) => () => void,
  signal: AbortSignal,
  opts: { initial?: T | null; congested?: () => boolean } = {},
): AsyncGenerator<T> {
  let pending: { value: T } | null = opts.initial != null ? { value: opts.initial } : null;
  let wake: (() => void) | null = null;
  const stop = listen((value) => {
    pending = { value };
    wake?.();
  });
  // One abort listener for the whole iteration (one per tick would leak).
  const aborted = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    while (!signal.aborted) {
      if (!pending) {
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        wake = null;
        continue;
      }
      const { value }: { value: T } = pending;
      pending = null;
      if (opts.congested?.()) continue;
      yield value;
    }
  } finally {
    stop();
  }
}

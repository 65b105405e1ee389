/**
 * Runs `work` over the items with at most `limit` at a time. On the first failure (or an abort) no new item
 * starts and `halt` aborts, so work already running can stop early; once all have settled, the first error is
 * thrown (a sibling's abort caused by it is not).
 * @internal
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  signal?: AbortSignal,
  halt?: AbortController,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    halt?.abort(new Error("stopped because another part of the run failed"));
  };
  const worker = async () => {
    while (!failure && next < items.length) {
      if (signal?.aborted) {
        fail(signal.reason);
        return;
      }
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        fail(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) {
    throw failure.error;
  }
}

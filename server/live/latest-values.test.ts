import { describe, expect, it } from 'vitest';
import { latestValues } from './latest-values';

function source() {
  const listeners = new Set<(v: number) => void>();
  return {
    listeners,
    listen: (push: (v: number) => void) => {
      listeners.add(push);
      return () => listeners.delete(push);
    },
    emit: (v: number) => listeners.forEach((l) => l(v)),
  };
}

describe('latestValues', () => {
  it('yields the initial value, then only the newest of values pushed while the consumer was busy', async () => {
    const src = source();
    const controller = new AbortController();
    const it = latestValues(src.listen, controller.signal, { initial: 0 })[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe(0);
    src.emit(1);
    src.emit(2);
    src.emit(3);
    expect((await it.next()).value).toBe(3);
    const next = it.next();
    src.emit(4);
    expect((await next).value).toBe(4);
    controller.abort();
    expect((await it.next()).done).toBe(true);
    expect(src.listeners.size).toBe(0);
  });

  it('skips values while the client is congested', async () => {
    const src = source();
    const controller = new AbortController();
    let congested = true;
    const got: number[] = [];
    const done = (async () => {
      for await (const v of latestValues(src.listen, controller.signal, { congested: () => congested })) got.push(v);
    })();
    await new Promise((r) => setTimeout(r, 10));
    src.emit(1);
    await new Promise((r) => setTimeout(r, 10));
    congested = false;
    src.emit(2);
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await done;
    expect(got).toEqual([2]);
    expect(src.listeners.size).toBe(0);
  });
});

'use client';
import { useSyncExternalStore } from 'react';

/**
 * The live link's state, shown in the shell: live (socket open), reconnecting (it dropped; retrying with
 * backoff), offline (the browser has no network, or retries have failed for a while). Pages keep their last
 * known values on screen in every state.
 */
export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'offline';

let state: LinkState = 'connecting';
let downSince: number | null = null;
const listeners = new Set<() => void>();

function set(next: LinkState) {
  if (next === state) return;
  state = next;
  for (const l of listeners) l();
}

export const linkEvents = {
  opened() {
    downSince = null;
    set('live');
  },
  closed() {
    downSince ??= Date.now();
    const offline = (typeof navigator !== 'undefined' && navigator.onLine === false) || Date.now() - downSince > 15_000;
    set(offline ? 'offline' : 'reconnecting');
  },
};

export function useLinkState(): LinkState {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => state,
    () => 'connecting',
  );
}

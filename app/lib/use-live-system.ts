'use client';
import { useQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useState } from 'react';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/trpc/root';
import { useTRPC } from './trpc';

type Snapshot = inferRouterOutputs<AppRouter>['system']['snapshot'];
export type Sample = NonNullable<Snapshot['latest']>;

const HISTORY_POINTS = 600; // ten minutes at one point per second

/**
 * The overview's data: the snapshot (static facts and history) once, then live samples at `hz`. The last known
 * values stay when the link drops; the history keeps one point per second for the sparklines.
 */
export function useLiveSystem(hz: number) {
  const trpc = useTRPC();
  const snapshot = useQuery(trpc.system.snapshot.queryOptions(undefined, { staleTime: Infinity }));
  const [latest, setLatest] = useState<Sample | null>(null);
  const [history, setHistory] = useState<Sample[]>([]);

  useEffect(() => {
    if (!snapshot.data) return;
    setHistory((h) => (h.length ? h : snapshot.data.history));
    setLatest((l) => l ?? snapshot.data.latest);
  }, [snapshot.data]);

  const live = useSubscription(
    trpc.system.live.subscriptionOptions(
      { hz },
      {
        onData: (sample) => {
          setLatest(sample);
          setHistory((h) => (h.length && sample.t - h[h.length - 1].t < 1000 ? h : [...h.slice(-(HISTORY_POINTS - 1)), sample]));
        },
      },
    ),
  );
  return { info: snapshot.data?.info, infoError: snapshot.error, latest, history, subscription: live };
}

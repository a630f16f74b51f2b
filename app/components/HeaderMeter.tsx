'use client';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC } from '../lib/trpc';

/**
 * A one-per-second CPU figure in the header of every page: a performer on the Patchbay still sees the box
 * working, and the live link stays open on every page, so the connection badge is true everywhere.
 */
export function HeaderMeter() {
  const trpc = useTRPC();
  const live = useSubscription(trpc.system.live.subscriptionOptions({ hz: 1 }));
  const cpu = live.data?.cpu.total;
  return (
    <span className="text-sm text-ink-dim tabular-nums" aria-label="CPU load">
      CPU <span className="font-semibold text-ink">{cpu === undefined ? '–' : `${cpu.toFixed(0)}%`}</span>
    </span>
  );
}

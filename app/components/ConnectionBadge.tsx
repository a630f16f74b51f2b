'use client';
import { useLinkState, type LinkState } from '../lib/connection';

const LOOK: Record<LinkState, { label: string; dot: string; text: string }> = {
  connecting: { label: 'Connecting', dot: 'bg-ink-dim', text: 'text-ink-dim' },
  live: { label: 'Live', dot: 'bg-live', text: 'text-live' },
  reconnecting: { label: 'Reconnecting', dot: 'bg-warn animate-pulse', text: 'text-warn' },
  offline: { label: 'Offline', dot: 'bg-danger', text: 'text-danger' },
};

export function ConnectionBadge() {
  const state = useLinkState();
  const look = LOOK[state];
  return (
    <span data-testid="connection-state" data-state={state} className={`inline-flex items-center gap-2 text-sm font-semibold ${look.text}`} role="status">
      <span className={`h-2.5 w-2.5 rounded-full ${look.dot}`} aria-hidden="true" />
      {look.label}
    </span>
  );
}

'use client';
import { useQuery } from '@tanstack/react-query';
import { Panel } from '../components/ui';
import { useTRPC } from '../lib/trpc';

/** Every change anyone made, newest first. A stacked list rather than a table, so it reads on a phone. */
export function AuditLogPanel() {
  const trpc = useTRPC();
  const log = useQuery(trpc.audit.list.queryOptions({ limit: 50 }, { refetchInterval: 5000 }));
  return (
    <Panel title="Audit log">
      <ol className="flex flex-col divide-y divide-stage-700 text-sm" data-testid="audit-log">
        {log.data?.map((e) => (
          <li key={e.id} className="grid gap-x-4 gap-y-0.5 py-2 sm:grid-cols-[8rem_1fr]">
            <div className="flex gap-2 text-ink-dim sm:flex-col sm:gap-0">
              <span className="tabular-nums">{new Date(e.at).toLocaleTimeString()}</span>
              <span>
                {e.deviceName ?? 'not signed in'} · {e.ip}
              </span>
            </div>
            <div className="min-w-0">
              <code className="font-mono font-semibold">{e.action}</code>
              <span className={`ml-2 font-semibold ${e.ok ? 'text-live' : 'text-danger'}`}>{e.ok ? 'ok' : 'refused'}</span>
              <div className="truncate font-mono text-xs text-ink-dim" title={e.input}>
                {e.input}
              </div>
              {!e.ok && <div className="text-danger">{e.result}</div>}
            </div>
          </li>
        ))}
      </ol>
      {log.error && <p className="text-danger">{log.error.message}</p>}
    </Panel>
  );
}

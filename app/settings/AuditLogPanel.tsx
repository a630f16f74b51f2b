'use client';
import { useQuery } from '@tanstack/react-query';
import { Panel } from '../components/ui';
import { useTRPC } from '../lib/trpc';

/** Every change anyone made, newest first. */
export function AuditLogPanel() {
  const trpc = useTRPC();
  const log = useQuery(trpc.audit.list.queryOptions({ limit: 50 }, { refetchInterval: 5000 }));
  return (
    <Panel title="Audit log">
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="audit-log">
          <thead className="text-ink-dim">
            <tr>
              <th className="py-1 pr-3 font-medium">When</th>
              <th className="py-1 pr-3 font-medium">Who</th>
              <th className="py-1 pr-3 font-medium">What</th>
              <th className="py-1 font-medium">Result</th>
            </tr>
          </thead>
          <tbody>
            {log.data?.map((e) => (
              <tr key={e.id} className="border-t border-stage-700 align-top">
                <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">{new Date(e.at).toLocaleTimeString()}</td>
                <td className="py-1.5 pr-3">
                  {e.deviceName ?? 'anonymous'}
                  <div className="text-xs text-ink-dim">{e.ip}</div>
                </td>
                <td className="py-1.5 pr-3">
                  <code className="font-mono">{e.action}</code>
                  <div className="max-w-xs truncate font-mono text-xs text-ink-dim" title={e.input}>
                    {e.input}
                  </div>
                </td>
                <td className={`py-1.5 ${e.ok ? 'text-live' : 'text-danger'}`}>{e.result}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {log.error && <p className="text-danger">{log.error.message}</p>}
    </Panel>
  );
}

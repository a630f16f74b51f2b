'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, ErrorText, Panel } from '../components/ui';
import { useTRPC } from '../lib/trpc';
import { NixSnippet } from './ChecksPanel';

/** The applied tweaks, each value re-read by the server, with revert and the NixOS snippet that keeps them. */
export function AppliedPanel({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const applied = useQuery(trpc.tuning.applied.queryOptions());
  const permanent = useQuery(trpc.tuning.permanent.queryOptions(undefined, { enabled: (applied.data?.length ?? 0) > 0 }));
  const revert = useMutation(trpc.tuning.revert.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.tuning.pathKey() }) }));
  const list = applied.data ?? [];
  return (
    <Panel title="Applied tweaks">
      <ErrorText error={applied.error} />
      {list.length === 0 ? (
        <p className="text-ink-dim" data-testid="applied-empty">
          Nothing applied from the console or the CLI.
        </p>
      ) : (
        <ul className="flex flex-col gap-2" data-testid="applied-list">
          {list.map((a) => (
            <li key={a.id} className="rounded-lg border border-stage-700 bg-stage-800/60 p-3" data-testid={`applied-${a.tweak}`}>
              <div className="flex flex-wrap items-center gap-2">
                <span className="flex-1 font-semibold">
                  #{a.id} {a.title}
                </span>
                <span className={`rounded px-2 py-0.5 text-xs font-bold ${a.inForce ? 'bg-live/15 text-live' : 'bg-warn/15 text-warn'}`}>{a.inForce ? 'in force' : 'changed since'}</span>
                {isAdmin && (
                  <Button variant="danger" disabled={revert.isPending} onClick={() => revert.mutate({ id: a.id })}>
                    Revert
                  </Button>
                )}
              </div>
              <p className="mt-1 text-xs text-ink-dim">
                by {a.appliedBy}, {new Date(a.appliedAt).toLocaleString()}
              </p>
              <ul className="mt-2 flex flex-col gap-1 font-mono text-xs">
                {a.writes.map((w, i) => (
                  <li key={i} className="overflow-x-auto whitespace-pre">
                    {w.path}: {w.current ?? '(missing)'} <span className="text-ink-dim">(was {w.old ?? '(missing)'})</span>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      <ErrorText error={revert.error} />
      {list.length > 0 && permanent.data && <div className="mt-3"><NixSnippet text={permanent.data} /></div>}
    </Panel>
  );
}

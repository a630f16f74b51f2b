'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, ErrorText, Panel } from '../components/ui';
import { useTRPC } from '../lib/trpc';
import { AREA_TITLES, STATUS_STYLE, type CheckReport, type CheckResult, type TweakRequest } from './types';

export function StatusBadge({ status }: { status: CheckResult['status'] }) {
  const s = STATUS_STYLE[status];
  return <span className={`inline-flex min-w-12 shrink-0 justify-center rounded-md border px-2 py-0.5 text-xs font-bold uppercase ${s.className}`}>{s.label}</span>;
}

/** The score at the top: how many checks pass, out of those that apply to this machine. */
export function ScoreCard({ report, onRerun, busy }: { report: CheckReport; onRerun: () => void; busy: boolean }) {
  const { pass, total, counts } = report.score;
  return (
    <Panel>
      <div className="flex flex-wrap items-center gap-4">
        <div>
          <p className="text-4xl font-bold tabular-nums" data-testid="tuning-score">
            {pass}
            <span className="text-ink-dim">/{total}</span>
          </p>
          <p className="text-sm text-ink-dim">checks pass</p>
        </div>
        <ul className="flex flex-1 flex-wrap gap-2 text-sm">
          {(['fail', 'warn', 'unknown', 'na'] as const).map((s) => (
            <li key={s} className={`rounded-md border px-2 py-1 ${STATUS_STYLE[s].className}`}>
              {counts[s]} {s === 'na' ? 'not applicable' : s}
            </li>
          ))}
        </ul>
        <Button onClick={onRerun} disabled={busy}>
          {busy ? 'Checking…' : 'Run checks'}
        </Button>
      </div>
      <p className="mt-2 text-xs text-ink-dim">
        Read in {report.durationMs} ms at {new Date(report.at).toLocaleTimeString()}.
      </p>
    </Panel>
  );
}

export function ChecksByArea({ report, isAdmin }: { report: CheckReport; isAdmin: boolean }) {
  const areas = [...new Set(report.results.map((r) => r.area))];
  return (
    <>
      {areas.map((area) => (
        <Panel key={area} title={AREA_TITLES[area]}>
          <ul className="flex flex-col gap-2">
            {report.results
              .filter((r) => r.area === area)
              .map((r) => (
                <CheckRow key={r.id} check={r} isAdmin={isAdmin} />
              ))}
          </ul>
        </Panel>
      ))}
    </>
  );
}

function CheckRow({ check, isAdmin }: { check: CheckResult; isAdmin: boolean }) {
  const [open, setOpen] = useState(check.status === 'fail');
  const [preview, setPreview] = useState<TweakRequest | null>(null);
  return (
    <li className="rounded-lg border border-stage-700 bg-stage-800/60" data-testid={`check-${check.id}`} data-status={check.status}>
      <button className="flex min-h-11 w-full items-start gap-3 p-3 text-left" onClick={() => setOpen(!open)} aria-expanded={open}>
        <StatusBadge status={check.status} />
        <span className="flex-1">
          <span className="block font-semibold">{check.title}</span>
          <span className="block text-sm text-ink-dim">{check.summary}</span>
        </span>
      </button>
      {open && (
        <div className="flex flex-col gap-3 border-t border-stage-700 p-3 text-sm">
          <p>
            {check.why}{' '}
            <a className="text-accent underline" href={check.link} target="_blank" rel="noreferrer">
              More
            </a>
          </p>
          {check.evidence.length > 0 && (
            <ul className="overflow-x-auto rounded-md bg-stage-950 p-2 font-mono text-xs">
              {check.evidence.map((e, i) => (
                <li key={i} className="whitespace-pre">
                  <span className="text-ink-dim">{e.source}:</span> {e.value ?? '(missing)'}
                </li>
              ))}
            </ul>
          )}
          {check.fix?.runtime && <p className="text-ink-dim">{check.fix.runtime}</p>}
          {check.fix?.tweak &&
            (isAdmin ? (
              preview ? (
                <TweakPreview request={preview} onClose={() => setPreview(null)} />
              ) : (
                <Button variant="primary" className="self-start" onClick={() => setPreview(check.fix!.tweak!)}>
                  Preview fix: {check.fix.tweak.label}
                </Button>
              )
            ) : (
              <p className="text-ink-dim">Fix available from an admin device: {check.fix.tweak.label}.</p>
            ))}
          {check.fix?.nixos && <NixSnippet text={check.fix.nixos} />}
        </div>
      )}
    </li>
  );
}

export function NixSnippet({ text, title = 'Make permanent (NixOS)' }: { text: string; title?: string }) {
  return (
    <div>
      <p className="mb-1 text-xs font-semibold text-ink-dim uppercase">{title}</p>
      <pre className="overflow-x-auto rounded-md bg-stage-950 p-2 font-mono text-xs text-ink">{text}</pre>
    </div>
  );
}

/** The dry run first: the exact writes with the values now; apply only after reading them. */
export function TweakPreview({ request, onClose }: { request: TweakRequest; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const plan = useQuery(trpc.tuning.plan.queryOptions({ tweak: request.id, params: request.params }, { staleTime: 0, gcTime: 0 }));
  const apply = useMutation(
    trpc.tuning.applyTweak.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.tuning.pathKey() });
        onClose();
      },
    }),
  );
  return (
    <div className="rounded-lg border border-accent/50 bg-stage-900 p-3" data-testid="tweak-preview">
      <p className="font-semibold">Dry run: {request.label}</p>
      {plan.isPending && <p className="text-ink-dim">Reading the current values…</p>}
      <ErrorText error={plan.error} />
      {plan.data && (
        <>
          {plan.data.writes.length === 0 ? (
            <p className="mt-2 text-ink-dim">Nothing to change.</p>
          ) : (
            <ul className="mt-2 flex flex-col gap-1 font-mono text-xs">
              {plan.data.writes.map((w, i) => (
                <li key={i} className="overflow-x-auto rounded bg-stage-950 p-2 whitespace-pre">
                  {w.path}
                  {w.kind === 'chrt' ? ` (${w.name})` : ''}
                  {'\n'}
                  <span className="text-danger">{w.old ?? '(missing)'}</span> → <span className="text-live">{w.new}</span>
                </li>
              ))}
            </ul>
          )}
          {plan.data.notes.map((n) => (
            <p key={n} className="mt-1 text-xs text-ink-dim">
              {n}
            </p>
          ))}
        </>
      )}
      <ErrorText error={apply.error} />
      <div className="mt-3 flex flex-wrap gap-2">
        <Button
          variant="primary"
          disabled={!plan.data || plan.data.writes.length === 0 || apply.isPending}
          onClick={() => apply.mutate({ tweak: request.id, params: request.params })}
        >
          {apply.isPending ? 'Applying…' : `Apply ${plan.data?.writes.length ?? ''} ${plan.data?.writes.length === 1 ? 'write' : 'writes'}`}
        </Button>
        <Button onClick={onClose}>Cancel</Button>
      </div>
    </div>
  );
}

'use client';
import { useQuery } from '@tanstack/react-query';
import { ErrorText, Panel } from '../components/ui';
import { useTRPC } from '../lib/trpc';
import { AppliedPanel } from './AppliedPanel';
import { BenchmarkPanel, RoundTripPanel } from './BenchmarkPanel';
import { ChecksByArea, ScoreCard } from './ChecksPanel';

export default function TuningPage() {
  const trpc = useTRPC();
  const auth = useQuery(trpc.auth.status.queryOptions());
  const status = useQuery(trpc.tuning.status.queryOptions());
  const report = useQuery(trpc.tuning.check.queryOptions(undefined, { staleTime: 5_000 }));
  const isAdmin = auth.data?.device?.role === 'admin';

  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">Tuning</h1>
      <ErrorText error={report.error} />
      {report.data ? (
        <ScoreCard report={report.data} onRerun={() => void report.refetch()} busy={report.isFetching} />
      ) : (
        !report.error && (
          <Panel>
            <p className="text-ink-dim">Reading /proc, /sys and /etc…</p>
          </Panel>
        )
      )}
      {!isAdmin && auth.data && (
        <p className="rounded-md border border-stage-600 bg-stage-900 px-3 py-2 text-sm text-ink-dim">
          This device is paired as {auth.data.device?.role}: it can read the checks; fixes, reverts and latency runs need an admin device.
        </p>
      )}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="flex min-w-0 flex-col gap-4">{report.data && <ChecksByArea report={report.data} isAdmin={isAdmin} />}</div>
        <div className="flex min-w-0 flex-col gap-4">
          <AppliedPanel isAdmin={isAdmin} />
          <BenchmarkPanel isAdmin={isAdmin} available={status.data?.probe.available ?? true} reason={status.data?.probe.reason} />
          <RoundTripPanel isAdmin={isAdmin} />
        </div>
      </div>
    </div>
  );
}

'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, ErrorText, inputClass, Panel } from '../components/ui';
import { useTRPC } from '../lib/trpc';

const ROLE_HELP = {
  viewer: 'sees everything, changes nothing',
  performer: 'stage controls',
  admin: 'system changes',
} as const;
type Role = keyof typeof ROLE_HELP;

export function DevicesPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const devices = useQuery(trpc.auth.devices.queryOptions(undefined, { refetchInterval: 5000 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.devices.queryKey() });
  const revoke = useMutation(trpc.auth.revokeDevice.mutationOptions({ onSettled: refresh }));
  const [role, setRole] = useState<Role>('performer');
  const [label, setLabel] = useState('');
  const create = useMutation(trpc.auth.createPairing.mutationOptions({ onSuccess: refresh }));

  return (
    <Panel title="Devices">
      <ul className="flex flex-col divide-y divide-stage-700" data-testid="device-list">
        {devices.data?.devices.map((d) => (
          <li key={d.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
            <div className="min-w-0">
              <div className="truncate font-semibold">
                {d.name} {d.current && <span className="text-xs text-accent">(this device)</span>}
              </div>
              <div className="text-sm text-ink-dim">
                {d.role} · last seen {new Date(d.lastSeenAt).toLocaleString()} {d.lastIp ? `from ${d.lastIp}` : ''}
              </div>
            </div>
            {!d.current && (
              <Button variant="danger" onClick={() => revoke.mutate({ id: d.id })} disabled={revoke.isPending} aria-label={`Revoke ${d.name}`}>
                Revoke
              </Button>
            )}
          </li>
        ))}
      </ul>
      <ErrorText error={revoke.error ?? devices.error} />

      <h3 className="mt-4 mb-2 font-semibold">Pair another device</h3>
      <form
        className="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ role, label: label.trim() || `${role} device`, baseUrl: window.location.origin });
        }}
      >
        <fieldset className="grid grid-cols-3 gap-2" aria-label="Role">
          {(Object.keys(ROLE_HELP) as Role[]).map((r) => (
            <label key={r} className={`flex min-h-11 cursor-pointer flex-col items-center justify-center rounded-lg border px-2 py-1 text-center ${role === r ? 'border-accent bg-accent/10' : 'border-stage-600'}`}>
              <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} className="sr-only" />
              <span className="font-semibold">{r}</span>
              <span className="text-xs text-ink-dim">{ROLE_HELP[r]}</span>
            </label>
          ))}
        </fieldset>
        <input className={inputClass} placeholder="Label (e.g. FOH iPad)" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={60} aria-label="Label" />
        <Button variant="primary" type="submit" disabled={create.isPending}>
          Create pairing link
        </Button>
      </form>
      <ErrorText error={create.error} />
      {create.data && (
        <div className="mt-3 flex flex-col items-center gap-2 rounded-lg bg-stage-800 p-3" data-testid="pairing-link">
          <div className="w-48 rounded bg-white p-2" dangerouslySetInnerHTML={{ __html: create.data.qrSvg }} />
          <code className="w-full break-all text-xs select-all">{create.data.url}</code>
          <p className="text-xs text-ink-dim">
            One use, as {create.data.role}, until {new Date(create.data.expiresAt).toLocaleTimeString()}.
          </p>
        </div>
      )}
    </Panel>
  );
}

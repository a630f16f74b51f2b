'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, ErrorText, inputClass, Panel } from '../components/ui';
import { useTRPC } from '../lib/trpc';
import { AuditLogPanel } from './AuditLogPanel';
import { DevicesPanel } from './DevicesPanel';

export default function SettingsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.auth.status.queryOptions());
  const logout = useMutation(trpc.auth.logout.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const device = status.data?.device;
  const isAdmin = device?.role === 'admin';

  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">Settings</h1>
      <Panel title="This device">
        <p>
          <span className="font-semibold">{device?.name}</span> <span className="text-ink-dim">· paired as {device?.role}</span>
        </p>
        <Button className="mt-3" onClick={() => logout.mutate()} disabled={logout.isPending}>
          Log out
        </Button>
      </Panel>
      {isAdmin ? (
        <>
          <DevicesPanel />
          <PasswordPanel hasPassword={!!status.data?.hasPassword} />
          <AuditLogPanel />
        </>
      ) : (
        <Panel>
          <p className="text-ink-dim">Devices, the admin password and the audit log are managed from an admin device.</p>
        </Panel>
      )}
    </div>
  );
}

function PasswordPanel({ hasPassword }: { hasPassword: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const set = useMutation(
    trpc.auth.setPassword.mutationOptions({
      onSuccess: () => {
        setPassword('');
        void queryClient.invalidateQueries({ queryKey: trpc.auth.status.queryKey() });
      },
    }),
  );
  return (
    <Panel title="Admin password">
      <p className="mb-3 text-sm text-ink-dim">
        {hasPassword ? 'A password is set. Change it here.' : 'No password yet: set one to log in from a new browser without a pairing link.'}
      </p>
      <form
        className="flex flex-col gap-3 sm:flex-row"
        onSubmit={(e) => {
          e.preventDefault();
          set.mutate({ password });
        }}
      >
        <input
          className={inputClass}
          type="password"
          autoComplete="new-password"
          placeholder="At least 10 characters"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-label="New admin password"
        />
        <Button variant="primary" type="submit" className="shrink-0 whitespace-nowrap" disabled={set.isPending || password.length === 0}>
          {hasPassword ? 'Change' : 'Set password'}
        </Button>
      </form>
      {set.isSuccess && <p className="mt-2 text-sm text-live">Password saved.</p>}
      <ErrorText error={set.error} />
    </Panel>
  );
}

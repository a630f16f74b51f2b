'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../lib/trpc';
import { Button, ErrorText, inputClass, Panel } from './ui';
import { defaultDeviceName } from '../lib/device-name';

/** Shown to a browser without a session: log in with the admin password, or pair with a link. */
export function SignIn({ claimed, hasPassword }: { claimed: boolean; hasPassword: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const login = useMutation(
    trpc.auth.login.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }),
  );
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 p-4">
      <h1 className="text-3xl font-bold">
        Archibald<span className="text-accent">OS</span>
      </h1>
      {!claimed ? (
        <Panel title="Not paired yet">
          <p className="text-ink-dim">
            This console has no admin yet. Open the one-time pairing link that the console printed when it started (on its terminal, or with{' '}
            <code className="font-mono text-ink">journalctl -u archibald-console</code>).
          </p>
        </Panel>
      ) : (
        <>
          {hasPassword && (
            <Panel title="Admin login">
              <form
                className="flex flex-col gap-3"
                onSubmit={(e) => {
                  e.preventDefault();
                  login.mutate({ password, deviceName: defaultDeviceName() });
                }}
              >
                <label className="flex flex-col gap-1 text-sm text-ink-dim">
                  Password
                  <input className={inputClass} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
                </label>
                <Button variant="primary" type="submit" disabled={!password || login.isPending}>
                  Log in
                </Button>
                <ErrorText error={login.error} />
              </form>
            </Panel>
          )}
          <Panel title="Pair this device">
            <p className="text-ink-dim">Ask the admin for a pairing link (Settings → Devices) and open it on this device.</p>
          </Panel>
        </>
      )}
    </main>
  );
}

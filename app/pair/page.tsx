'use client';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Button, ErrorText, inputClass, Panel } from '../components/ui';
import { defaultDeviceName } from '../lib/device-name';
import { useTRPC } from '../lib/trpc';

/** Opened from a pairing link: /pair#<token>. The token is in the fragment, so it never reaches a log. */
export default function PairPage() {
  const trpc = useTRPC();
  const [token, setToken] = useState('');
  const [name, setName] = useState('');
  const pair = useMutation(
    trpc.auth.pair.mutationOptions({
      // A full load, so every query starts fresh with the new session cookie.
      onSuccess: () => window.location.replace('/'),
    }),
  );
  useEffect(() => {
    setToken(window.location.hash.slice(1));
    setName(defaultDeviceName());
  }, []);

  return (
    <div className="flex min-h-dvh flex-col justify-center gap-4">
      <h1 className="text-3xl font-bold">
        Pair this device with Archibald<span className="text-accent">OS</span>
      </h1>
      <Panel>
        {!token ? (
          <p className="text-ink-dim">This page needs a pairing link. Open the full link you were given.</p>
        ) : (
          <form
            className="flex flex-col gap-3"
            onSubmit={(e) => {
              e.preventDefault();
              pair.mutate({ token, deviceName: name });
            }}
          >
            <label className="flex flex-col gap-1 text-sm text-ink-dim">
              Name of this device
              <input className={inputClass} value={name} onChange={(e) => setName(e.target.value)} maxLength={60} />
            </label>
            <Button variant="primary" type="submit" disabled={pair.isPending || !name.trim()}>
              Pair
            </Button>
            <ErrorText error={pair.error} />
          </form>
        )}
      </Panel>
    </div>
  );
}

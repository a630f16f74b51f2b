'use client';
import { useEffect, useState, type ReactNode } from 'react';

/**
 * The console is a live view of one machine: nothing useful can be rendered on the server, so the server sends
 * a dark splash and the browser renders the app after hydration (no mismatch, no flash of white).
 */
export function ClientOnly({ children }: { children: ReactNode }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  if (!mounted) {
    return (
      <div className="flex min-h-dvh items-center justify-center text-ink-dim" aria-busy="true">
        ArchibaldOS
      </div>
    );
  }
  return <>{children}</>;
}

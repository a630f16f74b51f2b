'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { useTRPC } from '../lib/trpc';
import { ConnectionBadge } from './ConnectionBadge';
import { HeaderMeter } from './HeaderMeter';
import { Icon, type IconName } from './icons';
import { SignIn } from './SignIn';

const NAV: { href: string; label: string; icon: IconName }[] = [
  { href: '/', label: 'Overview', icon: 'overview' },
  { href: '/patchbay', label: 'Patchbay', icon: 'patchbay' },
  { href: '/tuning', label: 'Tuning', icon: 'tuning' },
  { href: '/rebuild', label: 'Rebuild', icon: 'rebuild' },
  { href: '/library', label: 'Library', icon: 'library' },
  { href: '/mesh', label: 'Mesh', icon: 'mesh' },
  { href: '/settings', label: 'Settings', icon: 'settings' },
];

function isActive(pathname: string, href: string) {
  return href === '/' ? pathname === '/' : pathname.startsWith(href);
}

/**
 * Mobile first: a bottom tab bar on phones, a side rail from tablet width up. Signed-out visitors see the
 * sign-in screen; the pairing page is the one page that works without a session.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const trpc = useTRPC();
  const status = useQuery(trpc.auth.status.queryOptions(undefined, { refetchInterval: 30_000 }));

  if (pathname.startsWith('/pair')) return <main className="mx-auto max-w-lg p-4">{children}</main>;
  if (status.isPending) return <div className="flex min-h-dvh items-center justify-center text-ink-dim">Connecting…</div>;
  if (status.isError) {
    return (
      <div className="flex min-h-dvh flex-col items-center justify-center gap-2 p-6 text-center">
        <p className="text-lg font-semibold">The console does not answer.</p>
        <p className="text-ink-dim">{status.error.message}</p>
      </div>
    );
  }
  if (!status.data.device) return <SignIn claimed={status.data.claimed} hasPassword={status.data.hasPassword} />;

  const device = status.data.device;
  return (
    <div className="md:flex">
      <nav
        aria-label="Main"
        className="fixed inset-x-0 bottom-0 z-20 flex border-t border-stage-700 bg-stage-900/95 pb-[env(safe-area-inset-bottom)] backdrop-blur md:sticky md:top-0 md:h-dvh md:w-52 md:flex-col md:border-t-0 md:border-r md:pb-0"
      >
        <div className="hidden px-4 py-5 text-lg font-bold tracking-tight md:block">
          Archibald<span className="text-accent">OS</span>
        </div>
        {NAV.map((item) => {
          const active = isActive(pathname, item.href);
          return (
            <Link
              key={item.href}
              href={item.href}
              aria-current={active ? 'page' : undefined}
              className={`flex min-h-14 flex-1 flex-col items-center justify-center gap-0.5 text-[11px] font-medium md:min-h-12 md:flex-none md:flex-row md:justify-start md:gap-3 md:px-4 md:text-sm ${
                active ? 'text-accent md:bg-stage-800' : 'text-ink-dim hover:text-ink'
              }`}
            >
              <Icon name={item.icon} />
              <span>{item.label}</span>
            </Link>
          );
        })}
      </nav>
      <div className="min-w-0 flex-1 pb-24 md:pb-6">
        <header className="sticky top-0 z-10 flex min-h-14 items-center justify-between gap-3 border-b border-stage-700 bg-stage-950/95 px-4 backdrop-blur">
          <span className="font-bold md:hidden">
            Archibald<span className="text-accent">OS</span>
          </span>
          <span className="hidden truncate text-sm text-ink-dim md:inline">
            {device.name} · {device.role}
          </span>
          <div className="flex items-center gap-4">
            <HeaderMeter />
            <ConnectionBadge />
          </div>
        </header>
        <main className="mx-auto max-w-6xl p-4">{children}</main>
      </div>
    </div>
  );
}

import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { AppShell } from './components/AppShell';
import { ClientOnly } from './components/ClientOnly';
import './globals.css';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: 'ArchibaldOS',
  description: 'Real-time audio console',
  manifest: '/manifest.webmanifest',
  icons: { icon: '/icon-192.png', apple: '/apple-touch-icon.png' },
  appleWebApp: { capable: true, title: 'ArchibaldOS', statusBarStyle: 'black-translucent' },
};

export const viewport: Viewport = {
  themeColor: '#07090c',
  width: 'device-width',
  initialScale: 1,
  viewportFit: 'cover',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="bg-stage-950 font-sans text-ink antialiased">
        <ClientOnly>
          <Providers>
            <AppShell>{children}</AppShell>
          </Providers>
        </ClientOnly>
      </body>
    </html>
  );
}

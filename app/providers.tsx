'use client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import { useState, type ReactNode } from 'react';
import type { AppRouter } from '@/server/trpc/root';
import { linkEvents } from './lib/connection';
import { TRPCProvider } from './lib/trpc';

function makeClient() {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/trpc-ws`;
  const wsClient = createWSClient({
    url: wsUrl,
    // Opened only while a subscription is active, so a signed-out page does not knock on the socket.
    lazy: { enabled: true, closeMs: 3000 },
    retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, 5000),
    onOpen: () => linkEvents.opened(),
    onClose: () => linkEvents.closed(),
  });
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: wsClient }),
        false: httpBatchLink({ url: '/api/trpc' }),
      }),
    ],
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 2000,
            // An auth or validation error will not fix itself by retrying.
            retry: (count, err) => count < 2 && !/UNAUTHORIZED|FORBIDDEN|BAD_REQUEST/.test(String((err as { data?: { code?: string } })?.data?.code)),
          },
        },
      }),
  );
  // Rendered only in the browser (see ClientOnly): the socket URL comes from location.
  const [trpcClient] = useState(makeClient);
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}

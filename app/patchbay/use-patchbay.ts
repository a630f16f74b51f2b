'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useCallback, useRef, useState } from 'react';
import { useTRPC } from '../lib/trpc';
import { applyPatch, emptyGraph, fromSnapshot, type AudioStatus, type GraphState, type NodeView, type Patch } from './graph-state';

/** The live graph for this page: the subscription's snapshot, then its patches. Changes appear only when PipeWire reports them. */
export function useLiveGraph() {
  const trpc = useTRPC();
  const [graph, setGraph] = useState<GraphState>(emptyGraph);
  const [status, setStatus] = useState<AudioStatus | null>(null);
  const renderMark = useRef<{ version: number; at: number } | null>(null);
  const live = useSubscription(
    trpc.audio.live.subscriptionOptions(undefined, {
      onData: (msg) => {
        setStatus(msg.status);
        if (msg.type === 'snapshot') setGraph(fromSnapshot(msg.snapshot));
        else if (msg.type === 'patch') {
          renderMark.current = { version: msg.patch.version, at: performance.now() };
          setGraph((g) => applyPatch(g, msg.patch as Patch));
        }
      },
    }),
  );
  return { graph, status, live, renderMark };
}

export function useRole() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.status.queryOptions());
  const role = me.data?.device?.role ?? 'viewer';
  return { role, canPerform: role === 'performer' || role === 'admin', isAdmin: role === 'admin' };
}

/** connect / disconnect mutations with one error slot the page shows. */
export function usePatchActions() {
  const trpc = useTRPC();
  const [error, setError] = useState<{ message: string } | null>(null);
  const onError = useCallback((e: { message: string }) => setError(e), []);
  const onSuccess = useCallback(() => setError(null), []);
  const connect = useMutation(trpc.audio.connect.mutationOptions({ onError, onSuccess }));
  const disconnect = useMutation(trpc.audio.disconnect.mutationOptions({ onError, onSuccess }));
  const connectNodes = useMutation(trpc.audio.connectNodes.mutationOptions({ onError, onSuccess }));
  const disconnectNodes = useMutation(trpc.audio.disconnectNodes.mutationOptions({ onError, onSuccess }));
  const busy = connect.isPending || disconnect.isPending || connectNodes.isPending || disconnectNodes.isPending;
  return { connect, disconnect, connectNodes, disconnectNodes, error, setError, busy };
}
export type PatchActions = ReturnType<typeof usePatchActions>;

/** What both views of the graph (matrix and canvas) take from the page. */
export interface PatchViewProps {
  graph: GraphState;
  view: NodeView[];
  collapsed: Set<number>;
  toggleCollapse: (id: number) => void;
  actions: PatchActions;
  canPerform: boolean;
}

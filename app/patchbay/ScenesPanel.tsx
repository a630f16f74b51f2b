'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, ErrorText, inputClass, Panel } from '../components/ui';
import { useTRPC } from '../lib/trpc';

const linkText = (l: { output: { node: string; port: string }; input: { node: string; port: string } }) => `${l.output.node}:${l.output.port} → ${l.input.node}:${l.input.port}`;

/** Scenes: save the routing, preview the difference, then recall. Export/import as JSON. */
export function ScenesPanel({ canPerform, isAdmin }: { canPerform: boolean; isAdmin: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const scenes = useQuery(trpc.audio.scenes.queryOptions());
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.audio.scenes.queryKey() });
  const [name, setName] = useState('');
  const [withClock, setWithClock] = useState(false);
  const [picked, setPicked] = useState<string | null>(null);
  const [exclusive, setExclusive] = useState(false);
  const save = useMutation(trpc.audio.saveScene.mutationOptions({ onSuccess: () => (setName(''), refresh()) }));
  // keep showing the previous diff while the next one loads (toggling "exclusive" must not unmount the checkbox)
  const preview = useQuery({
    ...trpc.audio.previewScene.queryOptions({ name: picked ?? 'x', exclusive, withClock: true }),
    enabled: !!picked,
    staleTime: 0,
    placeholderData: (prev, prevQuery) => ((prevQuery?.queryKey[1] as { input?: { name?: string } } | undefined)?.input?.name === picked ? prev : undefined),
  });
  const recall = useMutation(trpc.audio.recallScene.mutationOptions({ onSuccess: () => preview.refetch() }));
  const del = useMutation(trpc.audio.deleteScene.mutationOptions({ onSuccess: () => (setPicked(null), refresh()) }));
  const importer = useMutation(trpc.audio.importPatchbay.mutationOptions({ onSuccess: () => (refresh(), qc.invalidateQueries({ queryKey: trpc.audio.rules.queryKey() })) }));
  const [importError, setImportError] = useState<string | null>(null);

  const doExport = async () => {
    const data = await qc.fetchQuery(trpc.audio.exportPatchbay.queryOptions());
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'patchbay.json';
    a.click();
    URL.revokeObjectURL(url);
  };
  const doImport = async (file: File) => {
    setImportError(null);
    try {
      importer.mutate({ data: JSON.parse(await file.text()), overwrite: true });
    } catch {
      setImportError('That file is not JSON.');
    }
  };

  return (
    <Panel title="Scenes" action={<Button onClick={doExport}>Export</Button>}>
      {canPerform && (
        <form
          className="flex flex-wrap items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate({ name, withClock, overwrite: false });
          }}
        >
          <input className={`${inputClass} flex-1 basis-48`} placeholder="Scene name" aria-label="Scene name" value={name} onChange={(e) => setName(e.target.value)} />
          <label className="flex min-h-11 items-center gap-2 text-sm">
            <input type="checkbox" className="h-5 w-5" checked={withClock} onChange={(e) => setWithClock(e.target.checked)} /> with clock
          </label>
          <Button variant="primary" type="submit" disabled={!name.trim() || save.isPending}>
            Save scene
          </Button>
        </form>
      )}
      <ErrorText error={save.error} />
      <ul className="mt-3 flex flex-col gap-2" data-testid="scene-list">
        {(scenes.data ?? []).map((s) => (
          <li key={s.name} className="rounded-lg border border-stage-700 p-2">
            <div className="flex flex-wrap items-center gap-2">
              <span className="flex-1 font-semibold">{s.name}</span>
              <span className="text-xs text-ink-dim">
                {s.links.length} links{s.clock ? ` · quantum ${s.clock.quantum || 'free'}` : ''}
              </span>
              <Button onClick={() => setPicked(picked === s.name ? null : s.name)} aria-expanded={picked === s.name}>
                {picked === s.name ? 'Close' : 'Recall…'}
              </Button>
              {isAdmin && (
                <Button variant="danger" onClick={() => del.mutate({ name: s.name })} aria-label={`Delete scene ${s.name}`}>
                  Delete
                </Button>
              )}
            </div>
            {picked === s.name && (
              <div className="mt-2 text-sm" data-testid="scene-diff" aria-busy={preview.isFetching}>
                <label className="flex min-h-11 items-center gap-2">
                  <input type="checkbox" className="h-5 w-5 shrink-0" checked={exclusive} onChange={(e) => setExclusive(e.target.checked)} /> exclusive (remove links not in the scene)
                </label>
                <ErrorText error={preview.error} />
                {!preview.data && !preview.error && <p className="text-ink-dim">Comparing with the live graph…</p>}
                {preview.data && (
                  <>
                    <p>
                      {preview.data.add.length} to add · {preview.data.remove.length} to remove · {preview.data.keep.length} already there · {preview.data.unavailable.length} unavailable
                    </p>
                    <ul className="my-1 max-h-40 overflow-auto font-mono text-xs wrap-anywhere">
                      {preview.data.add.map((l) => (
                        <li key={`a${linkText(l)}`} className="text-live">+ {linkText(l)}</li>
                      ))}
                      {preview.data.remove.map((l) => (
                        <li key={`r${linkText(l)}`} className="text-danger">− {linkText(l)}</li>
                      ))}
                      {preview.data.unavailable.map((l) => (
                        <li key={`u${linkText(l)}`} className="text-ink-dim">? {linkText(l)} (not present)</li>
                      ))}
                    </ul>
                    {canPerform && (
                      <Button variant="primary" disabled={recall.isPending || preview.isPlaceholderData} onClick={() => recall.mutate({ name: s.name, exclusive, withClock: !!s.clock })}>
                        Apply scene
                      </Button>
                    )}
                  </>
                )}
                {recall.data && recall.data.failures.length > 0 && <ErrorText error={{ message: recall.data.failures.map((f) => `${linkText(f.link)}: ${f.error}`).join('\n') }} />}
                <ErrorText error={recall.error} />
              </div>
            )}
          </li>
        ))}
      </ul>
      {scenes.data?.length === 0 && <p className="text-sm text-ink-dim">No scenes saved yet.</p>}
      <ErrorText error={del.error} />
      {isAdmin && (
        <label className="mt-3 inline-flex min-h-11 min-w-11 cursor-pointer items-center justify-center rounded-lg border border-stage-600 bg-stage-800 px-4 font-semibold text-ink hover:bg-stage-700 has-[:focus-visible]:border-accent">
          Import JSON…
          {/* visually hidden but focusable: the label is the 44 px touch target */}
          <input type="file" className="sr-only" accept="application/json,.json" onChange={(e) => (e.target.files?.[0] && doImport(e.target.files[0]), (e.target.value = ''))} />
        </label>
      )}
      <ErrorText error={importer.error ?? (importError ? { message: importError } : null)} />
    </Panel>
  );
}

/** Auto-connect rules (admin): regexes on node and port names, applied when matching nodes appear. */
export function RulesPanel({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const rules = useQuery(trpc.audio.rules.queryOptions());
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.audio.rules.queryKey() });
  const empty = { name: '', outputNode: '', outputPort: '', inputNode: '', inputPort: '', enabled: true };
  const [form, setForm] = useState(empty);
  const create = useMutation(trpc.audio.createRule.mutationOptions({ onSuccess: () => (setForm(empty), refresh()) }));
  const update = useMutation(trpc.audio.updateRule.mutationOptions({ onSuccess: refresh }));
  const del = useMutation(trpc.audio.deleteRule.mutationOptions({ onSuccess: refresh }));
  const field = (k: keyof typeof empty, label: string) => (
    <input className={inputClass} placeholder={label} aria-label={label} value={String(form[k])} onChange={(e) => setForm({ ...form, [k]: e.target.value })} />
  );
  return (
    <Panel title="Auto-connect rules">
      <ul className="flex flex-col gap-2 text-sm">
        {(rules.data ?? []).map((r) => (
          <li key={r.id} className="flex flex-wrap items-center gap-2 rounded-lg border border-stage-700 p-2">
            <span className="flex-1">
              <b>{r.name}</b>
              <span className="block font-mono text-xs wrap-anywhere text-ink-dim">
                /{r.outputNode}/:/{r.outputPort || '.*'}/ → /{r.inputNode}/:/{r.inputPort || '.*'}/
              </span>
            </span>
            {isAdmin && (
              <>
                <label className="flex min-h-11 items-center gap-2">
                  <input type="checkbox" className="h-5 w-5" checked={r.enabled} onChange={(e) => update.mutate({ id: r.id, rule: { ...r, enabled: e.target.checked } })} /> on
                </label>
                <Button variant="danger" onClick={() => del.mutate({ id: r.id })}>
                  Delete
                </Button>
              </>
            )}
          </li>
        ))}
      </ul>
      {rules.data?.length === 0 && <p className="text-sm text-ink-dim">No rules. A rule links matching ports whenever matching nodes appear.</p>}
      {isAdmin && (
        <form
          className="mt-3 grid gap-2 sm:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(form);
          }}
        >
          {field('name', 'Rule name')}
          <span className="hidden sm:block" />
          {field('outputNode', 'Output node regex')}
          {field('outputPort', 'Output port regex (empty = any)')}
          {field('inputNode', 'Input node regex')}
          {field('inputPort', 'Input port regex (empty = any)')}
          <Button variant="primary" type="submit" disabled={create.isPending || !form.name || !form.outputNode || !form.inputNode}>
            Add rule
          </Button>
        </form>
      )}
      <ErrorText error={create.error ?? update.error ?? del.error} />
    </Panel>
  );
}

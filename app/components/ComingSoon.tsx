import { Panel } from './ui';

/** An honest placeholder for a domain that is not built yet: says what will be here, shows no fake data. */
export function ComingSoon({ title, what }: { title: string; what: string }) {
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">{title}</h1>
      <Panel>
        <p className="text-lg font-semibold text-warn">Coming</p>
        <p className="mt-2 text-ink-dim">{what}</p>
        <p className="mt-2 text-ink-dim">Nothing on this page is connected to the box yet.</p>
      </Panel>
    </div>
  );
}

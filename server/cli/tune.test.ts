import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../auth/audit';
import { openDatabase } from '../db/database';
import { createRunner } from '../exec';
import { HostRoot } from '../host-root';
import { layMachine } from '../tuning/fixtures/machines';
import { TuningService } from '../tuning/service';
import { parseArgs, runTune, UsageError } from './tune';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function cli(machine: 'laptop' | 'vm' = 'laptop') {
  const root = layMachine(machine);
  const dataDir = layMachine('vm');
  const db = openDatabase(path.join(dataDir, 'data'));
  const tuning = new TuningService({
    host: new HostRoot(root),
    exec: createRunner({ allow: ['cyclictest'], path: process.env.PATH ?? '/usr/bin:/bin' }),
    db,
    log: pino({ level: 'silent' }),
    self: { uid: 1000 },
  });
  const audit = new AuditLog(db);
  cleanups.push(() => {
    db.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });
  const run = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await runTune(argv, tuning, audit, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    return { code, out, err };
  };
  return { run, root, audit };
}

describe('archibald tune', () => {
  it('check --json gives the same verdicts as the service, with evidence', async () => {
    const { run } = cli();
    const { code, out } = await run('check', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.results.find((r: { id: string }) => r.id === 'governor').status).toBe('fail');
    expect(report.score.total).toBe(23);
    expect((await run('check', '--strict')).code).toBe(3);
  });

  it('check prints a line per check with the fix commands', async () => {
    const { out } = await (await cli()).run('check');
    expect(out).toContain('[FAIL] CPU frequency governor (governor): CPU 0-7 use powersave.');
    expect(out).toContain('fix now: archibald tune apply governor --governor=performance');
    expect(out).toMatch(/4\/23 pass/);
  });

  it('apply --dry-run shows the writes and changes nothing; apply and revert round-trip and are audited', async () => {
    const { run, root, audit } = cli();
    const swap = () => readFileSync(path.join(root, 'proc/sys/vm/swappiness'), 'utf8').trim();
    const dry = await run('apply', 'swappiness', '--value=10', '--dry-run');
    expect(dry.out).toContain('would write /proc/sys/vm/swappiness: 60 -> 10');
    expect(swap()).toBe('60');
    expect((await run('apply', 'swappiness', '--value=10')).code).toBe(0);
    expect(swap()).toBe('10');
    const again = await run('apply', 'swappiness', '--value=10');
    expect(again).toMatchObject({ code: 0, out: expect.stringContaining('nothing to change') });
    expect((await run('list')).out).toContain('/proc/sys/vm/swappiness: 10 (was 60)');
    expect((await run('permanent')).out).toContain('archibald.rtAudio.swappiness = 10;');
    expect((await run('revert')).out).toContain('restored /proc/sys/vm/swappiness = 60');
    expect(swap()).toBe('60');
    expect(audit.list(10).map((e) => e.action)).toEqual(['tuning.revert', 'tuning.applyTweak']);
  });

  it('refuses CPUs that do not exist (exit 1) and says when a tweak does not apply here (exit 4)', async () => {
    const { run } = cli();
    const bad = await run('apply', 'irq-affinity', '--cpus=12');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('CPU 12 does not exist here');
    const vm = cli('vm');
    expect((await vm.run('apply', 'governor')).code).toBe(4);
  });

  it('explains bad usage with exit 2', async () => {
    const { run } = cli();
    expect((await run('apply')).code).toBe(2);
    expect((await run('frobnicate')).err).toContain('usage: archibald tune check');
    expect(() => parseArgs(['-x'])).toThrow(UsageError);
    expect(parseArgs(['governor', '--cpus=0-3', '--dry-run'])).toEqual({ positional: ['governor'], flags: new Map<string, string | true>([['cpus', '0-3'], ['dry-run', true]]) });
  });
});

import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../auth/audit';
import type { Role } from '../auth/roles';
import { openDatabase } from '../db/database';
import { createRunner } from '../exec';
import { HostRoot } from '../host-root';
import { createLogger } from '../log';
import type { Services } from '../services';
import { testCaller } from '../trpc/test-caller';
import { layMachine } from './fixtures/machines';
import { TuningService } from './service';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function setup() {
  const root = layMachine('laptop');
  const dataDir = layMachine('vm');
  const db = openDatabase(path.join(dataDir, 'data'));
  const log = createLogger('silent');
  const tuning = new TuningService({ host: new HostRoot(root), exec: createRunner({ allow: ['cyclictest'], path: process.env.PATH ?? '/usr/bin' }), db, log, self: { uid: 1000 }, canHold: true });
  const audit = new AuditLog(db);
  cleanups.push(async () => {
    await tuning.close();
    db.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });
  const caller = (role: Role, originAllowed = true) => testCaller({ tuning, audit, log } as Partial<Services>, role, { originAllowed });
  return { caller, audit, swappiness: () => readFileSync(path.join(root, 'proc/sys/vm/swappiness'), 'utf8').trim() };
}

describe('tuning router', () => {
  it('lets a viewer read the checks but not preview, apply, revert or benchmark', async () => {
    const { caller, swappiness } = setup();
    for (const role of ['viewer', 'performer'] as const) {
      const c = caller(role);
      expect((await c.tuning.check()).results.length).toBe(23);
      await expect(c.tuning.plan({ tweak: 'swappiness', params: { value: 10 } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(c.tuning.applyTweak({ tweak: 'swappiness', params: { value: 10 } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(c.tuning.revert({ id: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(c.tuning.benchmarkStart({ durationS: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(swappiness()).toBe('60');
  });

  it('applies and reverts for an admin, audits both, and maps domain errors to clear codes', async () => {
    const { caller, audit, swappiness } = setup();
    const admin = caller('admin');
    const applied = await admin.tuning.applyTweak({ tweak: 'swappiness', params: { value: 10 } });
    expect(swappiness()).toBe('10');
    await admin.tuning.revert({ id: applied.id });
    expect(swappiness()).toBe('60');
    await expect(admin.tuning.applyTweak({ tweak: 'irq-affinity', params: { cpus: '42' } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('CPU 42 does not exist') });
    await expect(admin.tuning.revert({ id: 999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(caller('admin', false).tuning.applyTweak({ tweak: 'swappiness', params: { value: 10 } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const actions = audit.list(10).map((e) => `${e.action} ${e.ok ? 'ok' : 'refused'}`);
    expect(actions).toEqual(['tuning.applyTweak refused', 'tuning.revert refused', 'tuning.applyTweak refused', 'tuning.revert ok', 'tuning.applyTweak ok']);
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecError } from './errors';
import { createRunner } from './runner';

const fixtures = path.join(__dirname, 'fixtures');
const fx = (name: string) => path.join(fixtures, name);

function runner(extra: Partial<Parameters<typeof createRunner>[0]> = {}) {
  return createRunner({
    allow: ['sleeper.sh', 'flood.sh', 'fail.sh', 'stubborn.sh', 'echo-args.sh', 'not-installed-tool'],
    path: `${fixtures}:/usr/bin:/bin`,
    killGraceMs: 200,
    ...extra,
  });
}

async function caught(p: Promise<unknown>): Promise<ExecError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ExecError);
    return err as ExecError;
  }
  throw new Error('expected the call to fail');
}

describe('exec runner', () => {
  it('passes arguments verbatim, with no shell in between', async () => {
    const hostile = ['$(touch /tmp/pwned)', '; rm -rf /', '`id`', "a'b\"c", '--flag=x y'];
    const result = await runner().run('echo-args.sh', hostile, { input: 'stdin-data' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${hostile.join('\n')}\nstdin-data`);
  });

  it('refuses a program that is not on the allow-list, even an absolute path', async () => {
    const err = await caught(runner().run('/bin/sh', ['-c', 'echo hi']));
    expect(err.kind).toBe('not-allowed');
    expect(err.message).toContain('allow-list');
    expect((await caught(runner().run('rm', ['-rf', '/tmp/x']))).kind).toBe('not-allowed');
  });

  it('says clearly when an allowed program is not installed', async () => {
    const err = await caught(runner().run('not-installed-tool', []));
    expect(err.kind).toBe('not-found');
    expect(err.message).toMatch(/not installed/);
    expect(await runner().which('not-installed-tool')).toBeNull();
    expect(await runner().which('sleeper.sh')).toBe(fx('sleeper.sh'));
  });

  it('kills a child that runs past its timeout', async () => {
    const r = runner();
    const started = Date.now();
    const err = await caught(r.run('sleeper.sh', ['30'], { timeoutMs: 150 }));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err.result?.signal).toBe('SIGTERM');
    expect(r.running).toBe(0);
  });

  it('forces SIGKILL on a child that ignores SIGTERM', async () => {
    const err = await caught(runner().run('stubborn.sh', [], { timeoutMs: 150 }));
    expect(err.kind).toBe('timeout');
    expect(err.result?.signal).toBe('SIGKILL');
  });

  it('stops a child that floods stdout at the output limit', async () => {
    const err = await caught(runner().run('flood.sh', [], { maxOutputBytes: 64 * 1024, timeoutMs: 5000 }));
    expect(err.kind).toBe('output-limit');
    expect(err.result!.stdout.length).toBeLessThanOrEqual(64 * 1024);
  });

  it('reports a non-zero exit with the last stderr line', async () => {
    const err = await caught(runner().run('fail.sh', ['7', 'disk full']));
    expect(err.kind).toBe('exit');
    expect(err.result?.code).toBe(7);
    expect(err.message).toBe('fail.sh exited with code 7: something went wrong: disk full');
  });

  it('accepts exit codes the caller declares as success', async () => {
    const result = await runner().run('fail.sh', ['1'], { okCodes: [0, 1] });
    expect(result.code).toBe(1);
  });

  it('cancels a child through an AbortSignal', async () => {
    const controller = new AbortController();
    const pending = runner().run('sleeper.sh', ['30'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await caught(pending)).kind).toBe('aborted');
  });

  it('gives a child only the base environment, not the server secrets', async () => {
    process.env.ARCHIBALD_TEST_SECRET = 'hunter2';
    const r = createRunner({ allow: ['env'], path: '/usr/bin:/bin', baseEnv: { XDG_RUNTIME_DIR: '/run/user/1000' } });
    const { stdout } = await r.run('env', []);
    expect(stdout).toContain('XDG_RUNTIME_DIR=/run/user/1000');
    expect(stdout).not.toContain('hunter2');
  });

  it('streams lines from a long-running child and stops it', async () => {
    const r = runner();
    const lines: string[] = [];
    const child = await r.stream('stubborn.sh', [], { onLine: (l) => lines.push(l) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines).toEqual(['ready']);
    const result = await child.stop();
    expect(result.signal).toBe('SIGKILL');
    expect(r.running).toBe(0);
  });

  it('ends every child on killAll (server shutdown)', async () => {
    const r = runner();
    const runs = Promise.allSettled([r.run('sleeper.sh', ['30']), r.run('sleeper.sh', ['30'])]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.running).toBe(2);
    await r.killAll();
    expect(r.running).toBe(0);
    for (const outcome of await runs) {
      expect(outcome.status).toBe('rejected');
      const err = (outcome as PromiseRejectedResult).reason as ExecError;
      expect(err.kind).toBe('aborted');
      expect(err.message).toContain('shutting down');
    }
  });
});

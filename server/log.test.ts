import { describe, expect, it } from 'vitest';
import { createLogger } from './log';

describe('logger', () => {
  it('writes one JSON line per event and censors secrets wherever they sit', () => {
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    log.info({ password: 'hunter2', input: { token: 'abc', name: 'ok' }, req: { headers: { cookie: 'archibald_session=xyz' } } }, 'login');
    log.debug('not at info level');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ msg: 'login', password: '[redacted]', input: { token: '[redacted]', name: 'ok' }, svc: 'archibald-console' });
    expect(lines[0]).not.toMatch(/hunter2|abc"|xyz/);
  });
});

import { describe, expect, it } from 'vitest';
import { defaultOrigins, EnvError, loadEnv } from './env';

function problems(source: Record<string, string>) {
  try {
    loadEnv(source);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return (err as EnvError).problems;
  }
  throw new Error('expected loadEnv to fail');
}

describe('environment', () => {
  it('has working defaults for every variable', () => {
    const env = loadEnv({});
    expect(env.ARCHIBALD_PORT).toBe(8420);
    expect(env.ARCHIBALD_BIND).toBe('0.0.0.0');
    expect(env.ARCHIBALD_HOST_ROOT).toBe('/');
    expect(env.ARCHIBALD_ALLOWED_ORIGINS).toEqual([]);
    expect(env.ARCHIBALD_LOG_LEVEL).toBe('info');
  });

  it('parses explicit values', () => {
    const env = loadEnv({
      ARCHIBALD_PORT: '9000',
      ARCHIBALD_BIND: '127.0.0.1',
      ARCHIBALD_DATA_DIR: '/var/lib/archibald',
      ARCHIBALD_ALLOWED_ORIGINS: 'http://rig.local:9000, https://10.0.0.5',
      ARCHIBALD_LOG_LEVEL: 'warn',
    });
    expect(env.ARCHIBALD_PORT).toBe(9000);
    expect(env.ARCHIBALD_ALLOWED_ORIGINS).toEqual(['http://rig.local:9000', 'https://10.0.0.5']);
  });

  it('names the variable and the value when a value is bad', () => {
    expect(problems({ ARCHIBALD_PORT: '70000' })[0]).toMatchObject({ variable: 'ARCHIBALD_PORT' });
    expect(problems({ ARCHIBALD_PORT: 'eighty' })[0].message).toContain('"eighty"');
    expect(problems({ ARCHIBALD_BIND: 'not an address' })[0].variable).toBe('ARCHIBALD_BIND');
    expect(problems({ ARCHIBALD_DATA_DIR: 'relative/dir' })[0]).toMatchObject({ variable: 'ARCHIBALD_DATA_DIR' });
    expect(problems({ ARCHIBALD_HOST_ROOT: '../up' })[0].variable).toBe('ARCHIBALD_HOST_ROOT');
    expect(problems({ ARCHIBALD_LOG_LEVEL: 'loud' })[0].variable).toBe('ARCHIBALD_LOG_LEVEL');
    expect(problems({ ARCHIBALD_ALLOWED_ORIGINS: 'http://ok:1,http://bad/path' })[0].variable).toBe('ARCHIBALD_ALLOWED_ORIGINS');
  });

  it('reports every bad variable at once, in its error message', () => {
    const list = problems({ ARCHIBALD_PORT: '0', ARCHIBALD_LOG_LEVEL: 'x' });
    expect(list.map((p) => p.variable).sort()).toEqual(['ARCHIBALD_LOG_LEVEL', 'ARCHIBALD_PORT']);
    expect(() => loadEnv({ ARCHIBALD_PORT: '0' })).toThrow(/ARCHIBALD_PORT/);
  });

  it('derives allowed origins from the box addresses, skipping link-local IPv6', () => {
    const origins = defaultOrigins(
      8420,
      {
        lo: [{ address: '127.0.0.1', family: 'IPv4' } as never],
        eth0: [
          { address: '192.168.1.20', family: 'IPv4' } as never,
          { address: 'fe80::1', family: 'IPv6' } as never,
          { address: 'fd00::20', family: 'IPv6' } as never,
        ],
      },
      'rig',
    );
    expect(origins).toContain('http://192.168.1.20:8420');
    expect(origins).toContain('http://[fd00::20]:8420');
    expect(origins).toContain('http://rig.local:8420');
    expect(origins).toContain('http://localhost:8420');
    expect(origins.some((o) => o.includes('fe80'))).toBe(false);
  });
});

import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database';
import { AuditLog, summarizeInput } from './audit';
import { AuthError } from './errors';
import { AuthService } from './service';

async function setup(idleTimeoutMs = 60 * 60 * 1000) {
  let clock = 1_000_000;
  const db = openDatabase(await mkdtemp(path.join(os.tmpdir(), 'auth-')));
  const auth = new AuthService(db, { idleTimeoutMs, now: () => clock });
  return { db, auth, advance: (ms: number) => (clock += ms) };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AuthError);
    return (err as AuthError).code;
  }
  throw new Error('expected an AuthError');
}

describe('auth service', () => {
  it('starts unclaimed; the first pairing link creates an admin session once', async () => {
    const { auth } = await setup();
    expect(auth.needsFirstPairing()).toBe(true);
    const link = auth.createPairing('admin', 'first start', null);
    const { sessionToken, device } = auth.redeemPairing(link.token, 'Stage iPad', '10.0.0.2');
    expect(device.role).toBe('admin');
    expect(auth.needsFirstPairing()).toBe(false);
    expect(auth.authenticate(sessionToken)?.device.name).toBe('Stage iPad');
    expect(code(() => auth.redeemPairing(link.token, 'Thief', '10.0.0.9'))).toBe('invalid-pairing');
  });

  it('refuses an expired or unknown pairing link, with a message saying so', async () => {
    const { auth, advance } = await setup();
    const link = auth.createPairing('viewer', 'phone', 'admin');
    advance(15 * 60 * 1000 + 1);
    expect(() => auth.redeemPairing(link.token, 'Late phone', '10.0.0.3')).toThrow(/expired/);
    expect(code(() => auth.redeemPairing('made-up-token', 'x', '10.0.0.4'))).toBe('invalid-pairing');
    expect(auth.listDevices()).toEqual([]);
  });

  it('rate-limits pairing attempts per address', async () => {
    const { auth, advance } = await setup();
    for (let i = 0; i < 5; i++) code(() => auth.redeemPairing(`guess-${i}`, 'x', '10.0.0.66'));
    const link = auth.createPairing('viewer', 'ok', 'admin');
    expect(code(() => auth.redeemPairing(link.token, 'x', '10.0.0.66'))).toBe('rate-limited');
    expect(auth.redeemPairing(link.token, 'other address', '10.0.0.67').device.role).toBe('viewer');
    // Successes never count: a whole band pairing from one address is not slowed.
    for (let i = 0; i < 8; i++) auth.redeemPairing(auth.createPairing('viewer', 'band', null).token, `tablet ${i}`, '10.0.0.68');
    advance(61_000);
    code(() => auth.redeemPairing('guess-again', 'x', '10.0.0.66')); // allowed to try again (and fail honestly)
  });

  it('logs in with the admin password and rejects a wrong one', async () => {
    const { auth } = await setup();
    await expect(auth.login('anything at all', 'Laptop', '10.0.0.5')).rejects.toMatchObject({ code: 'bad-credentials' });
    await expect(auth.setPassword('short')).rejects.toMatchObject({ code: 'invalid-input' });
    await auth.setPassword('correct horse battery');
    expect(auth.hasPassword()).toBe(true);
    await expect(auth.login('wrong password!', 'Laptop', '10.0.0.5')).rejects.toThrow('Wrong password.');
    const { sessionToken, device } = await auth.login('correct horse battery', 'Laptop', '10.0.0.5');
    expect(device.role).toBe('admin');
    expect(auth.authenticate(sessionToken)).not.toBeNull();
  });

  it('expires a session after the idle timeout and keeps a used one alive', async () => {
    const { auth, advance } = await setup(10 * 60 * 1000);
    const { sessionToken } = auth.redeemPairing(auth.createPairing('performer', 'p', null).token, 'Phone', '10.0.0.2');
    advance(9 * 60 * 1000);
    expect(auth.authenticate(sessionToken)).not.toBeNull(); // touches it
    advance(9 * 60 * 1000);
    expect(auth.authenticate(sessionToken)).not.toBeNull();
    advance(11 * 60 * 1000);
    expect(auth.authenticate(sessionToken)).toBeNull();
    expect(auth.authenticate(sessionToken)).toBeNull();
  });

  it('revokes a device and ends its sessions, but never the last admin', async () => {
    const { auth } = await setup();
    const admin = auth.redeemPairing(auth.createPairing('admin', 'a', null).token, 'Admin laptop', '10.0.0.1');
    const viewer = auth.redeemPairing(auth.createPairing('viewer', 'v', 'admin').token, 'FOH phone', '10.0.0.2');
    auth.revokeDevice(viewer.device.id);
    expect(auth.authenticate(viewer.sessionToken)).toBeNull();
    expect(code(() => auth.revokeDevice(admin.device.id))).toBe('conflict');
    expect(code(() => auth.revokeDevice('no-such-id'))).toBe('not-found');
    expect(auth.listDevices().map((d) => d.name)).toEqual(['Admin laptop']);
  });

  it('stores only hashes of tokens', async () => {
    const { auth, db } = await setup();
    const link = auth.createPairing('admin', 'a', null);
    const { sessionToken } = auth.redeemPairing(link.token, 'x', '1.2.3.4');
    const dump = JSON.stringify([db.prepare('SELECT * FROM sessions').all(), db.prepare('SELECT * FROM pairings').all()]);
    expect(dump).not.toContain(sessionToken);
    expect(dump).not.toContain(link.token);
  });
});

describe('audit log', () => {
  it('records entries newest first, pages back, and never stores secrets in the summary', async () => {
    const { db } = await setup();
    const audit = new AuditLog(db);
    for (let i = 0; i < 3; i++) {
      audit.record({ deviceId: 'd', deviceName: 'Phone', role: 'admin', ip: '10.0.0.2', action: `act.${i}`, input: summarizeInput({ i }), result: 'ok', ok: true });
    }
    const page = audit.list(2);
    expect(page.map((e) => e.action)).toEqual(['act.2', 'act.1']);
    expect(audit.list(2, page[1].id).map((e) => e.action)).toEqual(['act.0']);
    expect(summarizeInput({ password: 'hunter2', nested: { token: 'abc' }, name: 'x' })).toBe(
      '{"password":"[redacted]","nested":{"token":"[redacted]"},"name":"x"}',
    );
    expect(summarizeInput({ blob: 'y'.repeat(1000) }).length).toBe(300);
  });
});

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/database';
import { migrate } from '../db/database';
import { AuthError } from './errors';
import { hashPassword, verifyPassword } from './password';
import { RateLimiter } from './rate-limit';
import type { Role } from './roles';
import { AUTH_MIGRATIONS } from './schema';

export interface Device {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
  lastSeenAt: number;
  lastIp: string | null;
  revokedAt: number | null;
}

export interface Session {
  device: Device;
}

export interface PairingLink {
  token: string;
  role: Role;
  label: string;
  expiresAt: number;
}

interface DeviceRow {
  id: string;
  name: string;
  role: Role;
  created_at: number;
  last_seen_at: number;
  last_ip: string | null;
  revoked_at: number | null;
}

const PAIRING_TTL_MS = 15 * 60 * 1000;
const ADMIN_ACCOUNT = 'admin';
/** Touch a session's last-seen time at most this often: a write per request would be wasteful. */
const TOUCH_EVERY_MS = 60 * 1000;

// Only hashes of tokens are stored: a copy of the database does not let anyone in.
const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

function toDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    lastIp: row.last_ip,
    revokedAt: row.revoked_at,
  };
}

export interface AuthOptions {
  idleTimeoutMs: number;
  now?: () => number;
  /** Attempts per minute per address for login and pairing. */
  attemptsPerMinute?: number;
}

/**
 * Pairing, sessions, devices, the admin password. Every device has a role; a session belongs to a device.
 * First start: no admin device exists, so main.ts asks for a one-time pairing link for an admin.
 */
export class AuthService {
  private readonly now: () => number;
  private readonly limiter: RateLimiter;

  constructor(private readonly db: Db, private readonly opts: AuthOptions) {
    migrate(db, 'auth', AUTH_MIGRATIONS);
    this.now = opts.now ?? Date.now;
    this.limiter = new RateLimiter(opts.attemptsPerMinute ?? 5, 60_000, this.now);
  }

  /** True until an admin device exists: the console is not yet claimed. */
  needsFirstPairing(): boolean {
    const row = this.db.prepare(`SELECT 1 FROM devices WHERE role = 'admin' AND revoked_at IS NULL LIMIT 1`).get();
    return !row;
  }

  hasPassword(): boolean {
    return !!this.db.prepare('SELECT 1 FROM accounts WHERE name = ?').get(ADMIN_ACCOUNT);
  }

  createPairing(role: Role, label: string, createdBy: string | null): PairingLink {
    const token = newToken();
    const now = this.now();
    const expiresAt = now + PAIRING_TTL_MS;
    this.db
      .prepare('INSERT INTO pairings (token_hash, role, label, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(digest(token), role, label, createdBy, now, expiresAt);
    return { token, role, label, expiresAt };
  }

  /** Pending (unused, unexpired) pairing links, without their tokens. */
  pendingPairings(): { role: Role; label: string; expiresAt: number }[] {
    return this.db
      .prepare('SELECT role, label, expires_at AS expiresAt FROM pairings WHERE used_at IS NULL AND expires_at > ? ORDER BY created_at DESC')
      .all(this.now()) as { role: Role; label: string; expiresAt: number }[];
  }

  /** Redeem a pairing link: creates the device and its session. The link works once, within 15 minutes. */
  redeemPairing(token: string, deviceName: string, ip: string): { sessionToken: string; device: Device } {
    return this.limited(`pair:${ip}`, () => this.redeem(token, deviceName, ip));
  }

  private redeem(token: string, deviceName: string, ip: string): { sessionToken: string; device: Device } {
    const now = this.now();
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT role, expires_at, used_at FROM pairings WHERE token_hash = ?').get(digest(token)) as
        | { role: Role; expires_at: number; used_at: number | null }
        | undefined;
      if (!row) throw new AuthError('invalid-pairing', 'This pairing link is not valid. Ask the admin for a new one.');
      if (row.used_at !== null) throw new AuthError('invalid-pairing', 'This pairing link has already been used. Ask the admin for a new one.');
      if (row.expires_at <= now) throw new AuthError('invalid-pairing', 'This pairing link has expired (links last 15 minutes). Ask the admin for a new one.');
      this.db.prepare('UPDATE pairings SET used_at = ? WHERE token_hash = ?').run(now, digest(token));
      const device = this.insertDevice(deviceName, row.role, ip);
      return { sessionToken: this.insertSession(device.id), device };
    })();
  }

  async setPassword(password: string): Promise<void> {
    if (password.length < 10) throw new AuthError('invalid-input', 'The password must have at least 10 characters.');
    const hash = await hashPassword(password);
    this.db
      .prepare('INSERT INTO accounts (name, password_hash, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at')
      .run(ADMIN_ACCOUNT, hash, this.now());
  }

  /** The admin's password login from a new browser: creates an admin device. */
  async login(password: string, deviceName: string, ip: string): Promise<{ sessionToken: string; device: Device }> {
    const key = `login:${ip}`;
    this.checkLimit(key);
    const row = this.db.prepare('SELECT password_hash FROM accounts WHERE name = ?').get(ADMIN_ACCOUNT) as { password_hash: string } | undefined;
    // Verify against a dummy hash when no password is set, so the answer takes as long either way.
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok) {
      this.limiter.recordFailure(key);
      throw new AuthError('bad-credentials', 'Wrong password.');
    }
    const device = this.insertDevice(deviceName, 'admin', ip);
    return { sessionToken: this.insertSession(device.id), device };
  }

  /** The session for a cookie token, or null when it is unknown, idle for too long, or its device was revoked. */
  authenticate(sessionToken: string | undefined, ip?: string): Session | null {
    if (!sessionToken) return null;
    const hash = digest(sessionToken);
    const row = this.db
      .prepare(
        `SELECT s.last_seen_at AS session_seen, d.* FROM sessions s JOIN devices d ON d.id = s.device_id
         WHERE s.token_hash = ? AND d.revoked_at IS NULL`,
      )
      .get(hash) as (DeviceRow & { session_seen: number }) | undefined;
    if (!row) return null;
    const now = this.now();
    if (now - row.session_seen > this.opts.idleTimeoutMs) {
      this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hash);
      return null;
    }
    if (now - row.session_seen > TOUCH_EVERY_MS) {
      this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?').run(now, hash);
      this.db.prepare('UPDATE devices SET last_seen_at = ?, last_ip = COALESCE(?, last_ip) WHERE id = ?').run(now, ip ?? null, row.id);
    }
    return { device: toDevice(row) };
  }

  logout(sessionToken: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(digest(sessionToken));
  }

  listDevices(): Device[] {
    return (this.db.prepare('SELECT * FROM devices WHERE revoked_at IS NULL ORDER BY created_at').all() as DeviceRow[]).map(toDevice);
  }

  /** Revoke a device: its sessions end at once. The last admin cannot be revoked, or nobody could administer the box. */
  revokeDevice(id: string): Device {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM devices WHERE id = ? AND revoked_at IS NULL').get(id) as DeviceRow | undefined;
      if (!row) throw new AuthError('not-found', 'No such device (it may already be revoked).');
      if (row.role === 'admin') {
        const admins = this.db.prepare(`SELECT COUNT(*) AS n FROM devices WHERE role = 'admin' AND revoked_at IS NULL`).get() as { n: number };
        if (admins.n <= 1) throw new AuthError('conflict', 'This is the last admin device: pair another admin device before revoking it.');
      }
      this.db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ?').run(this.now(), id);
      this.db.prepare('DELETE FROM sessions WHERE device_id = ?').run(id);
      return toDevice({ ...row, revoked_at: this.now() });
    })();
  }

  private checkLimit(key: string): void {
    const wait = this.limiter.retryAfter(key);
    if (wait > 0) throw new AuthError('rate-limited', `Too many failed attempts. Try again in ${wait} s.`, wait);
  }

  /** Run `fn` unless `key` is over its failure limit; a failure of `fn` counts against the key. */
  private limited<T>(key: string, fn: () => T): T {
    this.checkLimit(key);
    try {
      return fn();
    } catch (err) {
      this.limiter.recordFailure(key);
      throw err;
    }
  }

  private insertDevice(name: string, role: Role, ip: string): Device {
    const now = this.now();
    const device: Device = { id: randomUUID(), name, role, createdAt: now, lastSeenAt: now, lastIp: ip, revokedAt: null };
    this.db
      .prepare('INSERT INTO devices (id, name, role, created_at, last_seen_at, last_ip) VALUES (?, ?, ?, ?, ?, ?)')
      .run(device.id, name, role, now, now, ip);
    return device;
  }

  private insertSession(deviceId: string): string {
    const token = newToken();
    const now = this.now();
    this.db.prepare('INSERT INTO sessions (token_hash, device_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)').run(digest(token), deviceId, now, now);
    return token;
  }
}

const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

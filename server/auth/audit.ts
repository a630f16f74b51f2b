import { migrate, type Db } from '../db/database';
import type { Role } from './roles';
import { AUTH_MIGRATIONS } from './schema';

export interface AuditEntry {
  id: number;
  at: number;
  deviceId: string | null;
  deviceName: string | null;
  role: Role | null;
  ip: string | null;
  action: string;
  input: string;
  result: string;
  ok: boolean;
}

const SECRET_KEY = /pass|token|secret|cookie/i;
const MAX_SUMMARY = 300;

/** A short, secret-free rendering of a mutation's input for the audit log. */
export function summarizeInput(input: unknown): string {
  const text = JSON.stringify(input ?? null, (key, value) => (key && SECRET_KEY.test(key) ? '[redacted]' : value)) ?? 'null';
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}

/** Every mutation lands here: who, from which device and address, what, with what input, and how it ended. */
export class AuditLog {
  /** The audit log is append-only but bounded: beyond this many rows the oldest are dropped. */
  private static readonly KEEP = 100_000;
  private inserts = 0;

  constructor(private readonly db: Db, private readonly now: () => number = Date.now) {
    migrate(db, 'auth', AUTH_MIGRATIONS);
  }

  record(entry: Omit<AuditEntry, 'id' | 'at'>): void {
    this.db
      .prepare('INSERT INTO audit_log (at, device_id, device_name, role, ip, action, input, result, ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(this.now(), entry.deviceId, entry.deviceName, entry.role, entry.ip, entry.action, entry.input, entry.result.slice(0, 500), entry.ok ? 1 : 0);
    if (++this.inserts % 1000 === 0) {
      this.db.prepare('DELETE FROM audit_log WHERE id <= (SELECT MAX(id) FROM audit_log) - ?').run(AuditLog.KEEP);
    }
  }

  /** Newest first; `before` pages back by id. */
  list(limit: number, before?: number): AuditEntry[] {
    const rows = this.db
      .prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
      .all(before ?? Number.MAX_SAFE_INTEGER, limit) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as number,
      at: r.at as number,
      deviceId: r.device_id as string | null,
      deviceName: r.device_name as string | null,
      role: r.role as Role | null,
      ip: r.ip as string | null,
      action: r.action as string,
      input: r.input as string,
      result: r.result as string,
      ok: r.ok === 1,
    }));
  }
}

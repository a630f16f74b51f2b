import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export type Db = Database.Database;

/**
 * The console's embedded database: one SQLite file in the data dir, WAL so readers never wait for the writer.
 * Each domain owns its tables and migrates them itself (see migrate), so domains stay independent.
 */
export function openDatabase(dataDir: string, file = 'console.db'): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(path.join(dataDir, file));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 2000');
  db.prepare('CREATE TABLE IF NOT EXISTS schema_versions (domain TEXT PRIMARY KEY, version INTEGER NOT NULL)').run();
  return db;
}

/**
 * Apply a domain's migrations in order, each in a transaction, remembering how far the domain got.
 * Steps are append-only: never edit a step that has shipped; add a new one.
 */
export function migrate(db: Db, domain: string, steps: readonly string[]): void {
  const row = db.prepare('SELECT version FROM schema_versions WHERE domain = ?').get(domain) as { version: number } | undefined;
  let version = row?.version ?? 0;
  const save = db.prepare('INSERT INTO schema_versions (domain, version) VALUES (?, ?) ON CONFLICT(domain) DO UPDATE SET version = excluded.version');
  for (; version < steps.length; version++) {
    const sql = steps[version];
    db.transaction(() => {
      db.exec(sql);
      save.run(domain, version + 1);
    })();
  }
}

import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from './database';

describe('database', () => {
  it('opens a WAL database and applies each migration once, per domain', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'db-'));
    const db = openDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    migrate(db, 'notes', ['CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)']);
    migrate(db, 'notes', ['CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)', 'ALTER TABLE notes ADD COLUMN at INTEGER']);
    db.prepare('INSERT INTO notes (body, at) VALUES (?, ?)').run('x', 1);
    db.close();
    const again = openDatabase(dir);
    migrate(again, 'notes', ['CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)', 'ALTER TABLE notes ADD COLUMN at INTEGER']);
    expect(again.prepare('SELECT body, at FROM notes').all()).toEqual([{ body: 'x', at: 1 }]);
    expect(again.prepare('SELECT version FROM schema_versions WHERE domain = ?').get('notes')).toEqual({ version: 2 });
  });

  it('rolls back a failing migration step and leaves the version where it was', async () => {
    const db = openDatabase(await mkdtemp(path.join(os.tmpdir(), 'db-')));
    expect(() => migrate(db, 'bad', ['CREATE TABLE a (x INTEGER)', 'CREATE TABLE a (y INTEGER)'])).toThrow(/already exists/);
    expect(db.prepare('SELECT version FROM schema_versions WHERE domain = ?').get('bad')).toEqual({ version: 1 });
  });
});

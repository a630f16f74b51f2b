/** The auth domain's tables; append a step to change them (see db/database.ts migrate). */
export const AUTH_MIGRATIONS = [
  `
  CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'performer', 'admin')),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    last_ip TEXT,
    revoked_at INTEGER
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_device ON sessions(device_id);
  CREATE TABLE pairings (
    token_hash TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'performer', 'admin')),
    label TEXT NOT NULL,
    created_by TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    device_id TEXT,
    device_name TEXT,
    role TEXT,
    ip TEXT,
    action TEXT NOT NULL,
    input TEXT NOT NULL,
    result TEXT NOT NULL,
    ok INTEGER NOT NULL
  );
  CREATE INDEX audit_at ON audit_log(at);
  `,
];

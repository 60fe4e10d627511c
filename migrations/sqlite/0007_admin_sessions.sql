-- Instructor console sessions (issue 13): only the SHA-256 of the session id is kept, so a copy
-- of the database signs nobody in. `last_seen` moves on each use; idle ones are deleted.
CREATE TABLE admin_sessions (
    id_hash    TEXT PRIMARY KEY,
    vendor_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
);
CREATE INDEX admin_sessions_last_seen ON admin_sessions (last_seen);

-- Instructor console sessions (issue 13): only the SHA-256 of the session id is kept, so a copy
-- of the database signs nobody in. Shared by every instance on this store.
CREATE TABLE admin_sessions (
    id_hash    TEXT PRIMARY KEY,
    vendor_id  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL
);
CREATE INDEX admin_sessions_last_seen ON admin_sessions (last_seen);

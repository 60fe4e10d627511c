-- Calendar feeds (issue 15): only the SHA-256 of each feed's URL token is kept, so a copy of
-- the database opens no feed. Deleting a row revokes its URL.
CREATE TABLE calendar_feeds (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

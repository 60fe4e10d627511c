-- Events (issue 14): every incident timeline event and every vendor change, in one order. Each
-- is written in the transaction of the change it tells of; SQLite has one writer, so the
-- AUTOINCREMENT seq is also the order in which they commit, and a seq is never reused.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    type        TEXT NOT NULL,
    at          INTEGER NOT NULL,
    vendor_id   TEXT,
    incident_id TEXT,
    detail      TEXT NOT NULL
);

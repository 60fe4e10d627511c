-- Vendors, their API keys (hashes only), signing keys, incidents and their timelines.
-- Instants are Unix milliseconds (UTC).

CREATE TABLE vendors (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT,
    website     TEXT,
    github_url  TEXT,
    roles       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    key_hash    TEXT PRIMARY KEY,
    vendor_id   TEXT NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX api_keys_vendor ON api_keys(vendor_id);

CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    alg         TEXT NOT NULL,
    pkcs8       BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER
);

-- Incidents outlive their vendor, so vendor_id is not a foreign key.
CREATE TABLE incidents (
    id                TEXT PRIMARY KEY,
    vendor_id         TEXT NOT NULL,
    mode              TEXT NOT NULL,
    params            TEXT NOT NULL,
    state             TEXT NOT NULL,
    initiated_by      TEXT NOT NULL,
    initiated_at      INTEGER NOT NULL,
    start_at          INTEGER NOT NULL,
    started_at        INTEGER,
    first_failure_at  INTEGER,
    resolved_at       INTEGER,
    resolved_by       TEXT,
    max_duration_secs INTEGER,
    fix_code          TEXT NOT NULL,
    orders_affected   INTEGER NOT NULL DEFAULT 0,
    orders_failed     INTEGER NOT NULL DEFAULT 0,
    orders_succeeded  INTEGER NOT NULL DEFAULT 0,
    lost_revenue      REAL NOT NULL DEFAULT 0,
    wrong_fix_codes   INTEGER NOT NULL DEFAULT 0
);
-- At most one scheduled or active chaos per vendor, enforced by the store itself.
CREATE UNIQUE INDEX incidents_one_open_per_vendor ON incidents(vendor_id)
    WHERE state IN ('scheduled', 'active');
CREATE INDEX incidents_by_initiated ON incidents(initiated_at);

CREATE TABLE incident_events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id  TEXT NOT NULL REFERENCES incidents(id),
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    detail       TEXT NOT NULL
);
CREATE INDEX incident_events_by_incident ON incident_events(incident_id, seq);

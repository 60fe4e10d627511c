-- Vendors, their API keys (hashes only), signing keys, incidents and their timelines.
-- Instants are Unix milliseconds (UTC), as in the SQLite store, so both read the same way.

CREATE TABLE vendors (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT,
    website     TEXT,
    github_url  TEXT,
    roles       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE api_keys (
    key_hash    TEXT PRIMARY KEY,
    vendor_id   TEXT NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL
);
CREATE INDEX api_keys_vendor ON api_keys(vendor_id);

CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    alg         TEXT NOT NULL,
    pkcs8       BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT
);

-- Incidents outlive their vendor, so vendor_id is not a foreign key.
CREATE TABLE incidents (
    id                TEXT PRIMARY KEY,
    -- Insertion order: among incidents initiated in the same millisecond, the later is newer.
    seq               BIGINT GENERATED ALWAYS AS IDENTITY,
    vendor_id         TEXT NOT NULL,
    mode              TEXT NOT NULL,
    params            TEXT NOT NULL,
    state             TEXT NOT NULL,
    initiated_by      TEXT NOT NULL,
    initiated_at      BIGINT NOT NULL,
    start_at          BIGINT NOT NULL,
    started_at        BIGINT,
    first_failure_at  BIGINT,
    resolved_at       BIGINT,
    resolved_by       TEXT,
    max_duration_secs BIGINT,
    fix_code          TEXT NOT NULL,
    orders_affected   BIGINT NOT NULL DEFAULT 0,
    orders_failed     BIGINT NOT NULL DEFAULT 0,
    orders_succeeded  BIGINT NOT NULL DEFAULT 0,
    -- Satoshi, so that sums from many instances add up exactly.
    lost_satoshi      BIGINT NOT NULL DEFAULT 0,
    wrong_fix_codes   BIGINT NOT NULL DEFAULT 0
);
-- At most one scheduled or active chaos per vendor, enforced by the store itself.
CREATE UNIQUE INDEX incidents_one_open_per_vendor ON incidents(vendor_id)
    WHERE state IN ('scheduled', 'active');
CREATE INDEX incidents_by_initiated ON incidents(initiated_at);

CREATE TABLE incident_events (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id  TEXT NOT NULL REFERENCES incidents(id),
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    detail       TEXT NOT NULL
);
CREATE INDEX incident_events_by_incident ON incident_events(incident_id, seq);

-- The change counter that instances sharing this database poll: every committed change to what
-- they cache (vendors, keys, signing keys, the state of an incident) bumps it in the same
-- transaction, so an instance that sees a new value also sees the change. Counters of incidents
-- are not cached and do not bump it.
CREATE TABLE store_changes (
    id       INT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO store_changes (id, version) VALUES (1, 0);

CREATE FUNCTION bump_store_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE store_changes SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;

-- Deferred to commit, so the counter row is locked last, after every data row: no deadlocks.
CREATE CONSTRAINT TRIGGER vendors_changed AFTER INSERT OR UPDATE OR DELETE ON vendors
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_store_changes();
CREATE CONSTRAINT TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE ON api_keys
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_store_changes();
CREATE CONSTRAINT TRIGGER signing_keys_changed AFTER INSERT OR UPDATE OR DELETE ON signing_keys
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_store_changes();
CREATE CONSTRAINT TRIGGER incidents_created AFTER INSERT ON incidents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_store_changes();
CREATE CONSTRAINT TRIGGER incidents_changed_state AFTER UPDATE OF state ON incidents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_store_changes();

-- Events (issue 14): every incident timeline event and every vendor change, in one order across
-- every instance. Each is inserted in the transaction of the change it tells of, without a seq;
-- the seq is given at COMMIT by a deferred trigger that first takes a transaction-level
-- advisory lock, held until the commit is visible. So a smaller seq is always visible before a
-- larger one: a reader paging with `after=` never passes over an event that commits later with a
-- smaller seq. The lock is held only for the commit itself (taken last, nothing locked after
-- it), so writers queue briefly there and cannot deadlock on it.
CREATE SEQUENCE events_seq;

CREATE TABLE events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- NULL only inside the writing transaction; every committed row has one.
    seq         BIGINT UNIQUE,
    type        TEXT NOT NULL,
    at          BIGINT NOT NULL,
    vendor_id   TEXT,
    incident_id TEXT,
    detail      TEXT NOT NULL
);

CREATE FUNCTION events_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- 'pizzaev' in hex: the events' own lock, apart from the migration lock.
    PERFORM pg_advisory_xact_lock(31641172151723382);
    UPDATE events SET seq = nextval('events_seq') WHERE id = NEW.id;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER events_numbered_at_commit
    AFTER INSERT ON events
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION events_number();

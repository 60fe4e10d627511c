-- Webhook deliveries of events (issue 14). A delivery is inserted in its event's transaction,
-- but PostgreSQL numbers an event only at COMMIT (0007): the delivery names its event by
-- `event_id` and has no seq yet. The commit trigger, once it has numbered the event, gives
-- that seq to the event's deliveries and to their payload's "seq", under the same lock, so
-- every committed delivery has its seq and the worker and the log never see it missing.
ALTER TABLE webhook_deliveries ALTER COLUMN event_seq DROP NOT NULL;
ALTER TABLE webhook_deliveries ADD COLUMN event_id BIGINT;
-- Only rows still waiting for their seq: the trigger's lookup stays small and quick while it
-- holds the events' lock.
CREATE INDEX webhook_deliveries_unnumbered ON webhook_deliveries (event_id) WHERE event_seq IS NULL;

CREATE OR REPLACE FUNCTION events_number() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n BIGINT;
BEGIN
    -- 'pizzaev' in hex: the events' own lock, apart from the migration lock.
    PERFORM pg_advisory_xact_lock(31641172151723382);
    n := nextval('events_seq');
    UPDATE events SET seq = n WHERE id = NEW.id;
    UPDATE webhook_deliveries
       SET event_seq = n, payload = jsonb_set(payload::jsonb, '{seq}', to_jsonb(n))::text
     WHERE event_id = NEW.id AND event_seq IS NULL;
    RETURN NULL;
END
$$;

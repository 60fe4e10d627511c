-- Changes pushed, not only polled (issue 16): every bump of the change counter also notifies
-- `factory_changes`, delivered when the transaction commits (a rolled-back change notifies no
-- one). The payload names what changed and whose, never a key or a fix code; PostgreSQL folds
-- identical payloads of one transaction into one notification.
CREATE OR REPLACE FUNCTION bump_store_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed RECORD;
    vendor TEXT;
BEGIN
    UPDATE store_changes SET version = version + 1 WHERE id = 1;
    IF TG_OP = 'DELETE' THEN
        changed := OLD;
    ELSE
        changed := NEW;
    END IF;
    vendor := CASE TG_TABLE_NAME
        WHEN 'vendors' THEN to_jsonb(changed) ->> 'id'
        WHEN 'api_keys' THEN to_jsonb(changed) ->> 'vendor_id'
        WHEN 'incidents' THEN to_jsonb(changed) ->> 'vendor_id'
    END;
    PERFORM pg_notify('factory_changes', json_build_object('kind', TG_TABLE_NAME, 'vendor', vendor)::text);
    RETURN NULL;
END $$;

-- Incidents belong to one lifetime of a vendor id (issue 10): a vendor deleted and created again
-- under the same id is another vendor, and never sees or inherits the first one's incidents.
ALTER TABLE vendors ADD COLUMN uid TEXT;
UPDATE vendors SET uid = gen_random_uuid()::text;
ALTER TABLE vendors ALTER COLUMN uid SET NOT NULL;
ALTER TABLE incidents ADD COLUMN vendor_uid TEXT;
-- An incident initiated before its vendor was created belongs to an earlier, deleted vendor.
UPDATE incidents i SET vendor_uid = v.uid
    FROM vendors v WHERE v.id = i.vendor_id AND v.created_at <= i.initiated_at;
-- Open chaos a deleted vendor left behind (deletion used to leave it open) ends now.
INSERT INTO incident_events (incident_id, at, kind, detail)
    SELECT id, (extract(epoch FROM now()) * 1000)::bigint,
           CASE state WHEN 'scheduled' THEN 'cancelled' ELSE 'resolved' END,
           'ended when the store was upgraded: its vendor had been deleted'
    FROM incidents WHERE state IN ('scheduled', 'active') AND vendor_uid IS NULL;
UPDATE incidents SET state = 'resolved', resolved_by = 'admin',
    resolved_at = (extract(epoch FROM now()) * 1000)::bigint
    WHERE state = 'active' AND vendor_uid IS NULL;
UPDATE incidents SET state = 'cancelled' WHERE state = 'scheduled' AND vendor_uid IS NULL;
CREATE INDEX incidents_by_vendor_uid ON incidents(vendor_uid);

-- An instructor's controls (issue 12): incidents set aside (voided) or made by a live drill, and
-- the chaos pause, one row while it is set, so it survives restarts and holds on every instance.
ALTER TABLE incidents ADD COLUMN drill BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE incidents ADD COLUMN voided_at BIGINT;
ALTER TABLE incidents ADD COLUMN voided_by TEXT;
ALTER TABLE incidents ADD COLUMN voided_reason TEXT;

CREATE TABLE chaos_pause (
    id         INT PRIMARY KEY CHECK (id = 1),
    until      BIGINT NOT NULL,
    reason     TEXT NOT NULL,
    paused_by  TEXT NOT NULL,
    paused_at  BIGINT NOT NULL
);

-- Instances cache the pause and each chaos's start: a change to either bumps the change counter.
CREATE CONSTRAINT TRIGGER chaos_pause_changed AFTER INSERT OR UPDATE OR DELETE ON chaos_pause
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_store_changes();
CREATE CONSTRAINT TRIGGER incidents_changed_start AFTER UPDATE OF start_at ON incidents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_store_changes();

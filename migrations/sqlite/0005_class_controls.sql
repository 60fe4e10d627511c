-- An instructor's controls (issue 12): incidents set aside (voided) or made by a live drill, and
-- the chaos pause, one row while it is set, so it survives restarts.
ALTER TABLE incidents ADD COLUMN drill INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN voided_at INTEGER;
ALTER TABLE incidents ADD COLUMN voided_by TEXT;
ALTER TABLE incidents ADD COLUMN voided_reason TEXT;

CREATE TABLE chaos_pause (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    until      INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    paused_by  TEXT NOT NULL,
    paused_at  INTEGER NOT NULL
);

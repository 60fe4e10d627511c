-- Orders per minute of each incident (issue 13), for its chart: one row per minute start (Unix
-- ms) and answer status, served and failed orders added up by the flushes of every instance.
-- Counters are not cached by instances, so they do not bump the change counter.
CREATE TABLE incident_minutes (
    incident_id  TEXT NOT NULL REFERENCES incidents(id),
    at           BIGINT NOT NULL,
    status       INTEGER NOT NULL,
    served       BIGINT NOT NULL DEFAULT 0,
    failed       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (incident_id, at, status)
);

-- Orders per minute of each incident (issue 13), for its chart: one row per minute start (Unix
-- ms) and answer status, served and failed orders added up by every flush.
CREATE TABLE incident_minutes (
    incident_id  TEXT NOT NULL REFERENCES incidents(id),
    at           INTEGER NOT NULL,
    status       INTEGER NOT NULL,
    served       INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (incident_id, at, status)
) WITHOUT ROWID;

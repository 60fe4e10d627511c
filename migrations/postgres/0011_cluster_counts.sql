-- Counts that hold for the whole cluster (issue 16), whichever instance answers and across
-- restarts: a flaky incident's orders are numbered here (for `everyNth`), and every try of a fix
-- code is one row (the client's address block, the vendor, when; never the code), pruned once a
-- minute old. Neither is cached by instances, so neither bumps the change counter (the incident
-- triggers watch `state` and `start_at` only).
ALTER TABLE incidents ADD COLUMN order_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE fix_code_tries (
    client     TEXT NOT NULL,
    vendor_id  TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX fix_code_tries_by_client ON fix_code_tries (client, vendor_id, at);
CREATE INDEX fix_code_tries_by_age ON fix_code_tries (at);

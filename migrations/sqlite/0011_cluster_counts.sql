-- Counts that hold across restarts (issue 16), as in PostgreSQL: a flaky incident's orders are
-- numbered here (for `everyNth`), and every try of a fix code is one row (the client's address
-- block, the vendor, when; never the code), pruned once a minute old.
ALTER TABLE incidents ADD COLUMN order_seq INTEGER NOT NULL DEFAULT 0;

CREATE TABLE fix_code_tries (
    client     TEXT NOT NULL,
    vendor_id  TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX fix_code_tries_by_client ON fix_code_tries (client, vendor_id, at);
CREATE INDEX fix_code_tries_by_age ON fix_code_tries (at);

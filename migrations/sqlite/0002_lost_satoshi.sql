-- Lost revenue as integer satoshi, as in the PostgreSQL store: sums are exact and saturate at
-- the largest INTEGER instead of drifting in floating point (issue 10).
ALTER TABLE incidents ADD COLUMN lost_satoshi INTEGER NOT NULL DEFAULT 0;
UPDATE incidents SET lost_satoshi = CAST(MIN(ROUND(lost_revenue * 100000000), 9223372036854775807) AS INTEGER);
ALTER TABLE incidents DROP COLUMN lost_revenue;

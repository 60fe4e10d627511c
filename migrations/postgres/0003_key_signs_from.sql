-- When each signing key starts signing: a rotated key is published in the JWKS one cache
-- lifetime before it signs. Keys stored before this signed from their creation.
ALTER TABLE signing_keys ADD COLUMN signs_from BIGINT NOT NULL DEFAULT 0;
UPDATE signing_keys SET signs_from = created_at;

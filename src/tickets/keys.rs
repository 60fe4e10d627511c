//! Signing keys as the store keeps them, and when each one signs: a key is published in the JWKS
//! one cache lifetime before it signs, so a verifier's cached JWKS always holds the signer.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
use chrono::{DateTime, Duration, Utc};

use super::Algorithm;

/// How long verifiers may cache the JWKS, in seconds: a new key waits this long before it signs.
pub const JWKS_MAX_AGE_SECS: i64 = 60;
/// The JWKS's `Cache-Control`, spelling out `JWKS_MAX_AGE_SECS` (a unit test holds them equal).
pub const JWKS_CACHE_CONTROL: &str = "public, max-age=60";

/// A signing key as the store keeps it. The PKCS#8 document is the private key.
#[derive(Clone)]
pub struct StoredKey {
    pub kid: String,
    pub alg: Algorithm,
    pub pkcs8: Vec<u8>,
    pub created_at: DateTime<Utc>,
    /// From when it signs; until then it is only published.
    pub signs_from: DateTime<Utc>,
    /// When it stops signing (its successor's `signs_from`); it verifies a ticket lifetime longer.
    pub retired_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("pkcs8", &"<redacted>")
            .field("signs_from", &self.signs_from)
            .field("retired_at", &self.retired_at)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not generate a {0:?} key")]
    Generate(Algorithm),
    #[error("stored key {0} is unreadable")]
    Corrupt(String),
}

impl StoredKey {
    /// A key that signs at once: only for a store that has no signing key yet, whose JWKS
    /// nobody can have cached.
    pub fn first(alg: Algorithm, now: DateTime<Utc>) -> Result<Self, KeyError> {
        Self::generate(alg, now, now)
    }

    /// The next key: published now, signing once every JWKS cached before now has expired.
    pub fn successor(alg: Algorithm, now: DateTime<Utc>) -> Result<Self, KeyError> {
        Self::generate(alg, now, now + Duration::seconds(JWKS_MAX_AGE_SECS))
    }

    fn generate(alg: Algorithm, now: DateTime<Utc>, signs_from: DateTime<Utc>) -> Result<Self, KeyError> {
        let rng = SystemRandom::new();
        let pkcs8 = match alg {
            Algorithm::EdDSA => Ed25519KeyPair::generate_pkcs8(&rng).map(|d| d.as_ref().to_vec()),
            Algorithm::ES256 => {
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).map(|d| d.as_ref().to_vec())
            }
            Algorithm::RS256 => RsaKeyPair::generate(KeySize::Rsa2048)
                .and_then(|k| k.as_der())
                .map(|d| d.as_ref().to_vec()),
        }
        .map_err(|_| KeyError::Generate(alg))?;
        let kid = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
        Ok(Self {
            kid,
            alg,
            pkcs8,
            created_at: now,
            signs_from,
            retired_at: None,
        })
    }

    /// Whether tickets it may have signed can still be unexpired at `now`.
    pub fn verifies_at(&self, now: DateTime<Utc>, lifetime: Duration) -> bool {
        self.retired_at.is_none_or(|r| r + lifetime > now)
    }

    /// The same key and schedule: nothing to reload.
    fn same_as(&self, other: &StoredKey) -> bool {
        (&self.kid, self.signs_from, self.retired_at) == (&other.kid, other.signs_from, other.retired_at)
    }
}

/// The key that has no successor yet: the newest, signing now or soon.
pub fn latest(keys: &[StoredKey]) -> Option<&StoredKey> {
    keys.iter()
        .filter(|k| k.retired_at.is_none())
        .max_by_key(|k| k.signs_from)
}

/// Whether two lists of stored keys hold the same keys on the same schedule.
pub fn same_keys(a: &[StoredKey], b: &[StoredKey]) -> bool {
    a.len() == b.len() && a.iter().all(|k| b.iter().any(|o| k.same_as(o)))
}

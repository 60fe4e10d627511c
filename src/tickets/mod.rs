//! Tickets: JWTs signed and verified through jsonwebtoken with keys the factory generates, stores
//! and publishes as a JWKS.

mod jwks;
mod keys;
mod signing;
mod verify;

pub use keys::{JWKS_CACHE_CONTROL, JWKS_MAX_AGE_SECS, KeyError, StoredKey, latest, same_keys};

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;

use jwks::KeySet;
use signing::Signer;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    EdDSA,
    ES256,
    RS256,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::EdDSA => "EdDSA",
            Algorithm::ES256 => "ES256",
            Algorithm::RS256 => "RS256",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "EdDSA" => Some(Algorithm::EdDSA),
            "ES256" => Some(Algorithm::ES256),
            "RS256" => Some(Algorithm::RS256),
            _ => None,
        }
    }
}

impl From<Algorithm> for jsonwebtoken::Algorithm {
    fn from(alg: Algorithm) -> Self {
        match alg {
            Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
            Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
            Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
        }
    }
}

pub struct Keyring {
    set: RwLock<Arc<KeySet>>,
    /// Signs forged tickets for `badjwt`: same header as the real key, wrong private key.
    forger: Signer,
    issuer: String,
    lifetime: Duration,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    iat: i64,
    exp: i64,
    jti: &'a str,
    vendor: VendorClaim<'a>,
    diner: &'a Value,
    order: &'a Value,
}

#[derive(Serialize)]
struct VendorClaim<'a> {
    id: &'a str,
    name: &'a str,
}

/// What a ticket is made of, borrowed from the request and the vendor.
pub struct TicketContent<'a> {
    pub vendor_id: &'a str,
    pub vendor_name: &'a str,
    pub diner: &'a Value,
    pub order: &'a Value,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketKind {
    Valid,
    /// Signed by a key no JWKS holds.
    Forged,
    /// Correctly signed, expired before it was issued.
    Expired,
}

impl Keyring {
    /// Builds the ring from stored keys; `keys` must hold a key without a successor.
    pub fn new(
        keys: &[StoredKey],
        alg: Algorithm,
        issuer: String,
        lifetime: Duration,
        now: DateTime<Utc>,
    ) -> Result<Self, KeyError> {
        // jsonwebtoken picks its backend from its features; saying so spares a panic on first
        // use should another crate ever turn on its other backend. Err: installed already.
        let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
        let (forger, _) = Signer::new(&StoredKey::first(alg, now)?)?;
        Ok(Self {
            set: RwLock::new(Arc::new(KeySet::build(keys, &issuer, lifetime, now)?)),
            forger,
            issuer,
            lifetime,
        })
    }

    /// Installs a new set of stored keys (after a rotation or a reload); keys already in force
    /// on the same schedule are not read again.
    /// A set that lacks a key this keyring holds was read before that key's rotation (the store
    /// never deletes keys): it is stale, and installing it would drop the new key until the next
    /// reload, so it is ignored. (A reload racing a rotation on the same instance did that.)
    pub fn replace(&self, keys: &[StoredKey], now: DateTime<Utc>) -> Result<(), KeyError> {
        let current = self.current();
        if same_keys(keys, &current.keys) {
            return Ok(());
        }
        if current.keys.iter().any(|held| !keys.iter().any(|k| k.kid == held.kid)) {
            return Ok(());
        }
        self.rebuild(keys, now)
    }

    fn rebuild(&self, keys: &[StoredKey], now: DateTime<Utc>) -> Result<(), KeyError> {
        let set = KeySet::build(keys, &self.issuer, self.lifetime, now)?;
        *self.set.write().expect("keyring lock") = Arc::new(set);
        Ok(())
    }

    /// Drops retired keys whose tickets have all expired.
    pub fn prune(&self, now: DateTime<Utc>) -> Result<(), KeyError> {
        let set = self.current();
        if set.next_drop.is_some_and(|t| t <= now) {
            self.rebuild(&set.keys, now)?;
        }
        Ok(())
    }

    fn current(&self) -> Arc<KeySet> {
        self.set.read().expect("keyring lock").clone()
    }

    /// The algorithm of the key signing at `now`.
    pub fn alg_at(&self, now: DateTime<Utc>) -> Algorithm {
        self.current().signer(now).alg
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    pub fn jwks(&self) -> bytes::Bytes {
        self.current().jwks.clone()
    }

    pub fn issue(&self, content: &TicketContent<'_>, now: DateTime<Utc>, kind: TicketKind) -> String {
        let iat = match kind {
            TicketKind::Expired => now - self.lifetime - Duration::hours(1),
            _ => now,
        };
        // A v4 UUID from the thread's CSPRNG (seeded by the OS): the same 122 random bits as
        // `Uuid::new_v4`, without a getrandom system call per ticket.
        let mut jti = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let jti = uuid::Builder::from_random_bytes(rand::random())
            .into_uuid()
            .hyphenated()
            .encode_lower(&mut jti);
        let claims = Claims {
            iss: &self.issuer,
            iat: iat.timestamp(),
            exp: (iat + self.lifetime).timestamp(),
            jti,
            vendor: VendorClaim {
                id: content.vendor_id,
                name: content.vendor_name,
            },
            diner: content.diner,
            order: content.order,
        };
        let set = self.current();
        let signer = set.signer(now);
        match kind {
            TicketKind::Forged => self.forger.sign_as(signer, &claims),
            _ => signer.sign(&claims),
        }
    }
}

#[cfg(test)]
mod tests;

//! Tickets: compact JWS signed with keys the factory generates, stores and publishes as a JWKS.

mod verify;

use verify::Verifier;

use std::fmt;
use std::sync::{Arc, RwLock};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Value, json};

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

/// A signing key as the store keeps it. The PKCS#8 document is the private key.
#[derive(Clone)]
pub struct StoredKey {
    pub kid: String,
    pub alg: Algorithm,
    pub pkcs8: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("pkcs8", &"<redacted>")
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
    pub fn generate(alg: Algorithm, now: DateTime<Utc>) -> Result<Self, KeyError> {
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
            retired_at: None,
        })
    }
}

enum PrivateKey {
    Ed(Ed25519KeyPair),
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// A parsed private key with its JWS header already encoded: signing is one call.
struct Signer {
    kid: String,
    alg: Algorithm,
    key: PrivateKey,
    header_b64: String,
    rng: SystemRandom,
}

impl Signer {
    fn new(stored: &StoredKey) -> Result<(Self, Value), KeyError> {
        let corrupt = |_| KeyError::Corrupt(stored.kid.clone());
        let (key, jwk) = match stored.alg {
            Algorithm::EdDSA => {
                let k = Ed25519KeyPair::from_pkcs8(&stored.pkcs8).map_err(corrupt)?;
                let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": B64.encode(k.public_key().as_ref())});
                (PrivateKey::Ed(k), jwk)
            }
            Algorithm::ES256 => {
                let k = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &stored.pkcs8).map_err(corrupt)?;
                // Uncompressed point: 0x04 || X || Y.
                let point = k.public_key().as_ref();
                let jwk = json!({"kty": "EC", "crv": "P-256", "x": B64.encode(&point[1..33]), "y": B64.encode(&point[33..65])});
                (PrivateKey::Ec(k), jwk)
            }
            Algorithm::RS256 => {
                let k = RsaKeyPair::from_pkcs8(&stored.pkcs8).map_err(corrupt)?;
                let public = k.public_key();
                let jwk = json!({
                    "kty": "RSA",
                    "n": B64.encode(public.modulus().big_endian_without_leading_zero()),
                    "e": B64.encode(public.exponent().big_endian_without_leading_zero()),
                });
                (PrivateKey::Rsa(k), jwk)
            }
        };
        let header = json!({"alg": stored.alg.as_str(), "typ": "JWT", "kid": stored.kid});
        let signer = Self {
            kid: stored.kid.clone(),
            alg: stored.alg,
            key,
            header_b64: B64.encode(header.to_string()),
            rng: SystemRandom::new(),
        };
        let mut jwk = jwk;
        jwk["kid"] = json!(stored.kid);
        jwk["alg"] = json!(stored.alg.as_str());
        jwk["use"] = json!("sig");
        Ok((signer, jwk))
    }

    /// Signs `claims` under `header_b64`, which is normally this key's own header.
    fn sign(&self, header_b64: &str, claims: &[u8]) -> String {
        let mut token = String::with_capacity(header_b64.len() + claims.len() * 4 / 3 + 400);
        token.push_str(header_b64);
        token.push('.');
        B64.encode_string(claims, &mut token);
        let signature = match &self.key {
            PrivateKey::Ed(k) => k.sign(token.as_bytes()).as_ref().to_vec(),
            PrivateKey::Ec(k) => k
                .sign(&self.rng, token.as_bytes())
                .expect("ECDSA signing with a valid key")
                .as_ref()
                .to_vec(),
            PrivateKey::Rsa(k) => {
                let mut sig = vec![0; k.public_modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &self.rng, token.as_bytes(), &mut sig)
                    .expect("RSA signing with a valid key");
                sig
            }
        };
        token.push('.');
        B64.encode_string(signature, &mut token);
        token
    }
}

/// The keys in force at one moment: the current signer, every key that still verifies, and the
/// JWKS document rendered once.
struct KeySet {
    keys: Vec<StoredKey>,
    /// When the next retired key's last ticket expires and the key leaves the JWKS.
    next_drop: Option<DateTime<Utc>>,
    signer: Arc<Signer>,
    verifiers: Vec<Verifier>,
    jwks: bytes::Bytes,
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
    /// Builds the ring from stored keys; `keys` must hold a non-retired key of `alg`.
    pub fn new(
        keys: &[StoredKey],
        alg: Algorithm,
        issuer: String,
        lifetime: Duration,
        now: DateTime<Utc>,
    ) -> Result<Self, KeyError> {
        let forger_key = StoredKey::generate(alg, now)?;
        let (forger, _) = Signer::new(&forger_key)?;
        let ring = Self {
            set: RwLock::new(Arc::new(build_set(keys, lifetime, now)?)),
            forger,
            issuer,
            lifetime,
        };
        Ok(ring)
    }

    /// Installs a new set of stored keys (after a rotation or a reload).
    pub fn replace(&self, keys: &[StoredKey], now: DateTime<Utc>) -> Result<(), KeyError> {
        let set = build_set(keys, self.lifetime, now)?;
        *self.set.write().expect("keyring lock") = Arc::new(set);
        Ok(())
    }

    /// Drops retired keys whose tickets have all expired.
    pub fn prune(&self, now: DateTime<Utc>) -> Result<(), KeyError> {
        let set = self.current();
        if set.next_drop.is_some_and(|t| t <= now) {
            self.replace(&set.keys, now)?;
        }
        Ok(())
    }

    fn current(&self) -> Arc<KeySet> {
        self.set.read().expect("keyring lock").clone()
    }

    pub fn current_kid(&self) -> String {
        self.current().signer.kid.clone()
    }

    pub fn current_alg(&self) -> Algorithm {
        self.current().signer.alg
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
        let claims = serde_json::to_vec(&claims).expect("claims serialize");
        let set = self.current();
        match kind {
            TicketKind::Forged => self.forger.sign(&set.signer.header_b64, &claims),
            _ => set.signer.sign(&set.signer.header_b64, &claims),
        }
    }
}

/// The newest non-retired key signs; keys retired less than a ticket lifetime ago still verify.
fn build_set(keys: &[StoredKey], lifetime: Duration, now: DateTime<Utc>) -> Result<KeySet, KeyError> {
    let current = keys
        .iter()
        .filter(|k| k.retired_at.is_none())
        .max_by_key(|k| k.created_at)
        .ok_or_else(|| KeyError::Corrupt("no current signing key".into()))?;
    let mut verifiers = Vec::new();
    let mut jwks = Vec::new();
    let mut signer = None;
    for key in keys {
        if key.retired_at.is_some_and(|r| r + lifetime <= now) {
            continue;
        }
        let (parsed, jwk) = Signer::new(key)?;
        verifiers.push(parsed.verifier()?);
        jwks.push(jwk);
        if key.kid == current.kid {
            signer = Some(Arc::new(parsed));
        }
    }
    let jwks = serde_json::to_vec(&json!({ "keys": jwks })).expect("jwks serialize");
    let next_drop = keys
        .iter()
        .filter_map(|k| k.retired_at.map(|r| r + lifetime))
        .filter(|t| *t > now)
        .min();
    Ok(KeySet {
        keys: keys.to_vec(),
        next_drop,
        signer: signer.expect("current key is never filtered out"),
        verifiers,
        jwks: jwks.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(alg: Algorithm) -> (Keyring, DateTime<Utc>) {
        let now = Utc::now();
        let key = StoredKey::generate(alg, now).unwrap();
        (
            Keyring::new(&[key], alg, "test".into(), Duration::hours(24), now).unwrap(),
            now,
        )
    }

    #[test]
    fn every_algorithm_signs_what_it_verifies() {
        let diner = json!({"id": 1});
        let order = json!({"items": [{"price": 1}]});
        let content = TicketContent {
            vendor_id: "v",
            vendor_name: "V",
            diner: &diner,
            order: &order,
        };
        for alg in [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256] {
            let (ring, now) = ring(alg);
            let ticket = ring.issue(&content, now, TicketKind::Valid);
            let claims = ring.verify(&ticket, now).expect("valid ticket verifies");
            assert_eq!(claims["vendor"]["id"], "v");
            assert!(
                ring.verify(&ring.issue(&content, now, TicketKind::Forged), now)
                    .is_none()
            );
            assert!(
                ring.verify(&ring.issue(&content, now, TicketKind::Expired), now)
                    .is_none()
            );
            assert!(ring.verify(&ticket, now + Duration::hours(25)).is_none());
            assert!(ring.verify("not.a.jwt", now).is_none());
        }
    }

    #[test]
    fn the_key_not_the_header_decides_the_algorithm_and_the_issuer_must_match() {
        let (ring, now) = ring(Algorithm::EdDSA);
        let set = ring.current();
        let kid = &set.signer.kid;
        let claims = br#"{"iss":"test","exp":99999999999}"#;
        let respelled = B64.encode(format!(r#"{{"kid":"{kid}", "alg":"EdDSA"}}"#));
        assert!(ring.verify(&set.signer.sign(&respelled, claims), now).is_some());
        let lying = B64.encode(format!(r#"{{"kid":"{kid}","alg":"ES256"}}"#));
        assert!(ring.verify(&set.signer.sign(&lying, claims), now).is_none());
        let foreign = br#"{"iss":"elsewhere","exp":99999999999}"#;
        assert!(
            ring.verify(&set.signer.sign(&set.signer.header_b64, foreign), now)
                .is_none()
        );
    }
}

//! Verifying tickets through jsonwebtoken: each published key is decoded once, with a
//! `Validation` pinned to its own algorithm, so a ticket's header cannot choose another.

use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Algorithm, KeyError, Keyring};

/// One published key, decoded from the very JWK the JWKS serves.
pub(super) struct Verifier {
    kid: String,
    key: DecodingKey,
    validation: Validation,
}

impl Verifier {
    pub fn new(jwk: &Jwk, kid: &str, alg: Algorithm, issuer: &str) -> Result<Self, KeyError> {
        let key = DecodingKey::from_jwk(jwk).map_err(|_| KeyError::Corrupt(kid.to_owned()))?;
        let mut validation = Validation::new(alg.into());
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["exp", "iss"]);
        // jsonwebtoken compares `exp` with the system time; the factory's clock decides instead
        // (tests and drills move it), in `verify_raw`.
        validation.validate_exp = false;
        Ok(Self {
            kid: kid.to_owned(),
            key,
            validation,
        })
    }
}

/// The claim checked here rather than by jsonwebtoken.
#[derive(Deserialize)]
struct Expiry {
    exp: i64,
}

impl Keyring {
    /// The claims of a ticket signed by a key in the JWKS and not expired at `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Value> {
        serde_json::from_slice(&self.verify_raw(token, now)?).ok()
    }

    /// Like `verify`, with the claims as the JSON text that was signed, ready to send back.
    pub fn verify_raw(&self, token: &str, now: DateTime<Utc>) -> Option<Vec<u8>> {
        let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
        let set = self.current();
        let verifier = set.verifiers.iter().find(|v| v.kid == kid)?;
        let claims = jsonwebtoken::decode::<Box<RawValue>>(token, &verifier.key, &verifier.validation)
            .ok()?
            .claims;
        let expiry: Expiry = serde_json::from_str(claims.get()).ok()?;
        (expiry.exp > now.timestamp()).then(|| claims.get().as_bytes().to_vec())
    }
}

//! Verifying tickets: one signature check against a public key parsed once; the key, never the
//! ticket's header, decides the algorithm.

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ED25519, KeyPair, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, VerificationAlgorithm,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{Algorithm, KeyError, Keyring, PrivateKey, Signer};

impl Signer {
    /// The public half, parsed once so that verifying a ticket is one signature check.
    pub(super) fn verifier(&self) -> Result<Verifier, KeyError> {
        let (algorithm, public): (&'static dyn VerificationAlgorithm, &[u8]) = match &self.key {
            PrivateKey::Ed(k) => (&ED25519, k.public_key().as_ref()),
            PrivateKey::Ec(k) => (&ECDSA_P256_SHA256_FIXED, k.public_key().as_ref()),
            PrivateKey::Rsa(k) => (&RSA_PKCS1_2048_8192_SHA256, k.public_key().as_ref()),
        };
        Ok(Verifier {
            kid: self.kid.clone(),
            alg: self.alg,
            header_b64: self.header_b64.clone(),
            key: ParsedPublicKey::new(algorithm, public).map_err(|_| KeyError::Corrupt(self.kid.clone()))?,
        })
    }
}

pub(super) struct Verifier {
    kid: String,
    alg: Algorithm,
    /// The key's own header: every ticket it signed starts with exactly these bytes.
    header_b64: String,
    key: ParsedPublicKey,
}

/// A JWS header as verification reads it, for tickets whose header is not one of ours verbatim.
#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

/// The claims verification checks; the rest is passed through as signed.
#[derive(Deserialize)]
struct Checked<'a> {
    #[serde(borrow)]
    iss: Option<std::borrow::Cow<'a, str>>,
    exp: Option<i64>,
}

impl Keyring {
    /// The claims of a ticket signed by a key in the JWKS and not expired at `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Value> {
        serde_json::from_slice(&self.verify_raw(token, now)?).ok()
    }

    /// Like `verify`, with the claims as the JSON text that was signed, ready to send back.
    pub fn verify_raw(&self, token: &str, now: DateTime<Utc>) -> Option<Vec<u8>> {
        let (signed, signature) = token.rsplit_once('.')?;
        let (header, claims) = signed.split_once('.')?;
        let set = self.current();
        // Our own tickets carry our header verbatim, which spares parsing it.
        let verifier = match set.verifiers.iter().find(|v| v.header_b64 == header) {
            Some(v) => v,
            None => {
                let header: Header = serde_json::from_slice(&B64.decode(header).ok()?).ok()?;
                let v = set
                    .verifiers
                    .iter()
                    .find(|v| Some(v.kid.as_str()) == header.kid.as_deref())?;
                // The key decides the algorithm, never the header: no algorithm confusion.
                (v.alg.as_str() == header.alg).then_some(v)?
            }
        };
        verifier
            .key
            .verify_sig(signed.as_bytes(), &B64.decode(signature).ok()?)
            .ok()?;
        let claims = B64.decode(claims).ok()?;
        let checked: Checked<'_> = serde_json::from_slice(&claims).ok()?;
        // Expiry is checked against the factory's clock, not the system time.
        let fresh = checked.exp.is_some_and(|exp| exp > now.timestamp());
        (fresh && checked.iss.as_deref() == Some(self.issuer.as_str())).then_some(claims)
    }
}

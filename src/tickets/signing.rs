//! Signing tickets through jsonwebtoken, and the public JWK of each key.

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{DecodingKey, EncodingKey, Header};
use serde::Serialize;

use super::{Algorithm, KeyError, StoredKey};

/// A private key ready to sign, with the header every ticket it signs carries.
pub(super) struct Signer {
    pub alg: Algorithm,
    header: Header,
    key: EncodingKey,
}

impl Signer {
    /// Reads a stored key once: the signer and the public JWK that verifies what it signs.
    pub fn new(stored: &StoredKey) -> Result<(Self, Jwk), KeyError> {
        let corrupt = || KeyError::Corrupt(stored.kid.clone());
        let (key, public) = match stored.alg {
            Algorithm::EdDSA => {
                let pair = Ed25519KeyPair::from_pkcs8(&stored.pkcs8).map_err(|_| corrupt())?;
                (
                    EncodingKey::from_ed_der(&stored.pkcs8),
                    DecodingKey::from_ed_der(pair.public_key().as_ref()),
                )
            }
            Algorithm::ES256 => {
                let pair =
                    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &stored.pkcs8).map_err(|_| corrupt())?;
                (
                    EncodingKey::from_ec_der(&stored.pkcs8),
                    DecodingKey::from_ec_der(pair.public_key().as_ref()),
                )
            }
            Algorithm::RS256 => {
                let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(&stored.pkcs8).map_err(|_| corrupt())?;
                let public = pair.public_key();
                // jsonwebtoken reads RSA private keys as PKCS#1, or as PKCS#8 only in PEM form.
                let pem = format!(
                    "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
                    base64::engine::general_purpose::STANDARD.encode(&stored.pkcs8)
                );
                (
                    EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| corrupt())?,
                    DecodingKey::from_rsa_raw_components(
                        public.modulus().big_endian_without_leading_zero(),
                        public.exponent().big_endian_without_leading_zero(),
                    ),
                )
            }
        };
        let mut jwk = Jwk::from_decoding_key(&public, Some(stored.alg.into())).map_err(|_| corrupt())?;
        jwk.common.key_id = Some(stored.kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let mut header = Header::new(stored.alg.into());
        header.kid = Some(stored.kid.clone());
        let signer = Self {
            alg: stored.alg,
            header,
            key,
        };
        Ok((signer, jwk))
    }

    /// Signs `claims` under this key's own header.
    pub fn sign(&self, claims: &impl Serialize) -> String {
        self.sign_as(self, claims)
    }

    /// Signs `claims` with this key under `other`'s header: a forgery of `other`'s tickets.
    pub fn sign_as(&self, other: &Signer, claims: &impl Serialize) -> String {
        jsonwebtoken::encode(&other.header, claims, &self.key).expect("a key read at load signs")
    }
}

//! Signing tickets with aws-lc keys parsed once (jsonwebtoken re-reads the private key on every
//! `encode`, which BENCHMARKS.md measures), and the public JWK of each key through jsonwebtoken.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{DecodingKey, Header};
use serde::Serialize;

use super::{Algorithm, KeyError, StoredKey};

enum PrivateKey {
    Ed(Ed25519KeyPair),
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// A private key ready to sign, with the header every ticket it signs carries, encoded once.
pub(super) struct Signer {
    pub alg: Algorithm,
    key: PrivateKey,
    header_b64: String,
    rng: SystemRandom,
}

impl Signer {
    /// Reads a stored key once: the signer and the public JWK that verifies what it signs.
    pub fn new(stored: &StoredKey) -> Result<(Self, Jwk), KeyError> {
        let corrupt = |_| KeyError::Corrupt(stored.kid.clone());
        let (key, public) = match stored.alg {
            Algorithm::EdDSA => {
                let pair = Ed25519KeyPair::from_pkcs8(&stored.pkcs8).map_err(corrupt)?;
                let public = DecodingKey::from_ed_der(pair.public_key().as_ref());
                (PrivateKey::Ed(pair), public)
            }
            Algorithm::ES256 => {
                let pair =
                    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &stored.pkcs8).map_err(corrupt)?;
                let public = DecodingKey::from_ec_der(pair.public_key().as_ref());
                (PrivateKey::Ec(pair), public)
            }
            Algorithm::RS256 => {
                let pair = RsaKeyPair::from_pkcs8(&stored.pkcs8).map_err(corrupt)?;
                let public = DecodingKey::from_rsa_raw_components(
                    pair.public_key().modulus().big_endian_without_leading_zero(),
                    pair.public_key().exponent().big_endian_without_leading_zero(),
                );
                (PrivateKey::Rsa(pair), public)
            }
        };
        let corrupt = || KeyError::Corrupt(stored.kid.clone());
        let mut jwk = Jwk::from_decoding_key(&public, Some(stored.alg.into())).map_err(|_| corrupt())?;
        jwk.common.key_id = Some(stored.kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let mut header = Header::new(stored.alg.into());
        header.kid = Some(stored.kid.clone());
        let signer = Self {
            alg: stored.alg,
            key,
            header_b64: B64.encode(serde_json::to_vec(&header).expect("header serializes")),
            rng: SystemRandom::new(),
        };
        Ok((signer, jwk))
    }

    /// Signs `claims` under this key's own header.
    pub fn sign(&self, claims: &impl Serialize) -> String {
        self.sign_as(self, claims)
    }

    /// Signs `claims` with this key under `other`'s header: a forgery of `other`'s tickets.
    pub fn sign_as(&self, other: &Signer, claims: &impl Serialize) -> String {
        let claims = serde_json::to_vec(claims).expect("claims serialize");
        let mut token = String::with_capacity(other.header_b64.len() + claims.len() * 4 / 3 + 400);
        token.push_str(&other.header_b64);
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

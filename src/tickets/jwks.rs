//! The keys in force at one moment: who signs when, every key that still verifies, and the JWKS
//! document rendered once.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::jwk::JwkSet;

use super::KeyError;
use super::keys::{StoredKey, latest};
use super::signing::Signer;
use super::verify::Verifier;

pub(super) struct KeySet {
    pub keys: Vec<StoredKey>,
    /// When the next retired key's last ticket expires and the key leaves the JWKS.
    pub next_drop: Option<DateTime<Utc>>,
    /// Each key with the instant it starts signing, in that order.
    pub schedule: Vec<(DateTime<Utc>, Arc<Signer>)>,
    pub verifiers: Vec<Verifier>,
    pub jwks: bytes::Bytes,
}

impl KeySet {
    /// Reads every key that can still verify an unexpired ticket at `now`.
    pub fn build(keys: &[StoredKey], issuer: &str, lifetime: Duration, now: DateTime<Utc>) -> Result<Self, KeyError> {
        latest(keys).ok_or_else(|| KeyError::Corrupt("no current signing key".into()))?;
        let mut schedule = Vec::new();
        let mut verifiers = Vec::new();
        let mut jwks = JwkSet::default();
        for key in keys.iter().filter(|k| k.verifies_at(now, lifetime)) {
            let (signer, jwk) = Signer::new(key)?;
            verifiers.push(Verifier::new(&jwk, &key.kid, key.alg, issuer)?);
            jwks.keys.push(jwk);
            schedule.push((key.signs_from, Arc::new(signer)));
        }
        schedule.sort_by_key(|(from, _)| *from);
        let next_drop = keys
            .iter()
            .filter_map(|k| k.retired_at.map(|r| r + lifetime))
            .filter(|t| *t > now)
            .min();
        Ok(Self {
            keys: keys.to_vec(),
            next_drop,
            schedule,
            verifiers,
            jwks: serde_json::to_vec(&jwks).expect("jwks serialize").into(),
        })
    }

    /// The key that signs at `now`: the last whose start has come (the first, should the clock
    /// stand before every start).
    pub fn signer(&self, now: DateTime<Utc>) -> &Arc<Signer> {
        let started = self.schedule.partition_point(|(from, _)| *from <= now);
        &self.schedule[started.saturating_sub(1)].1
    }
}

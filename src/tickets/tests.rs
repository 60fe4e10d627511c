//! Unit tests of the keyring: signing, verifying and the signing schedule.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::*;

fn content<'a>(diner: &'a Value, order: &'a Value) -> TicketContent<'a> {
    TicketContent {
        vendor_id: "v",
        vendor_name: "V",
        diner,
        order,
    }
}

fn kid_of(ticket: &str) -> String {
    jsonwebtoken::decode_header(ticket).unwrap().kid.unwrap()
}

fn ring(keys: &[StoredKey], alg: Algorithm, now: DateTime<Utc>) -> Keyring {
    Keyring::new(keys, alg, "test".into(), Duration::hours(24), now).unwrap()
}

#[test]
fn every_algorithm_signs_what_it_verifies() {
    let (diner, order) = (json!({"id": 1}), json!({"items": [{"price": 1}]}));
    let content = content(&diner, &order);
    for alg in [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256] {
        let now = Utc::now();
        let ring = ring(&[StoredKey::first(alg, now).unwrap()], alg, now);
        let ticket = ring.issue(&content, now, TicketKind::Valid);
        let claims = ring.verify(&ticket, now).expect("valid ticket verifies");
        assert_eq!(claims["vendor"]["id"], "v");
        let forged = ring.issue(&content, now, TicketKind::Forged);
        assert_eq!(kid_of(&forged), kid_of(&ticket));
        assert!(ring.verify(&forged, now).is_none());
        assert!(
            ring.verify(&ring.issue(&content, now, TicketKind::Expired), now)
                .is_none()
        );
        assert!(ring.verify(&ticket, now + Duration::hours(24)).is_none());
        assert!(ring.verify("not.a.jwt", now).is_none());
    }
}

#[test]
fn a_successor_is_published_at_once_and_signs_one_max_age_later() {
    let (diner, order) = (json!({}), json!({}));
    let content = content(&diner, &order);
    let now = Utc::now();
    let mut old = StoredKey::first(Algorithm::EdDSA, now).unwrap();
    let new = StoredKey::successor(Algorithm::ES256, now).unwrap();
    old.retired_at = Some(new.signs_from);
    assert_eq!(latest(&[old.clone(), new.clone()]).unwrap().kid, new.kid);
    let ring = ring(&[old.clone(), new.clone()], Algorithm::ES256, now);
    let jwks: Value = serde_json::from_slice(&ring.jwks()).unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    let max_age = Duration::seconds(JWKS_MAX_AGE_SECS);
    let before = now + max_age - Duration::milliseconds(1);
    assert_eq!(kid_of(&ring.issue(&content, before, TicketKind::Valid)), old.kid);
    assert_eq!(ring.alg_at(before), Algorithm::EdDSA);
    let after = ring.issue(&content, now + max_age, TicketKind::Valid);
    assert_eq!(kid_of(&after), new.kid);
    assert!(ring.verify(&after, now + max_age).is_some());
    // The same keys on the same schedule are not read again; a changed schedule is.
    assert!(same_keys(&[old.clone(), new.clone()], &[new.clone(), old.clone()]));
    old.retired_at = None;
    assert!(!same_keys(&[old], &[new]));
}

#[test]
fn the_jwks_cache_lifetime_is_the_publication_lead() {
    assert_eq!(JWKS_CACHE_CONTROL, format!("public, max-age={JWKS_MAX_AGE_SECS}"));
}

#[test]
fn a_set_read_before_a_rotation_never_drops_the_rotated_key() {
    let now = Utc::now();
    let first = StoredKey::first(Algorithm::EdDSA, now).unwrap();
    let next = StoredKey::successor(Algorithm::EdDSA, now).unwrap();
    let ring = ring(std::slice::from_ref(&first), Algorithm::EdDSA, now);
    ring.replace(&[first.clone(), next.clone()], now).unwrap();
    // A reload that read the store before the rotation comes in last.
    ring.replace(std::slice::from_ref(&first), now).unwrap();
    let kids: Vec<_> = ring.current().keys.iter().map(|k| k.kid.clone()).collect();
    assert!(kids.contains(&next.kid), "the rotated key was dropped: {kids:?}");
}

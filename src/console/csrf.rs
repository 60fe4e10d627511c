//! CSRF: each session's forms carry a token derived from its secret id (so it needs no storage
//! and dies with the session); a state-changing request without it changes nothing.

use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest;

pub const FIELD: &str = "csrf";
pub const HEADER: &str = "x-csrf-token";

/// The token of the session whose cookie value is `session_id`; the stored hash of the id
/// does not give it, the id itself does.
pub fn token(session_id: &str) -> String {
    let mut input = b"factory console csrf\0".to_vec();
    input.extend_from_slice(session_id.as_bytes());
    digest::digest(&digest::SHA256, &input)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `presented` (header or form field) is the session's token.
pub fn matches(expected: &str, presented: Option<&str>) -> bool {
    presented.is_some_and(|p| verify_slices_are_equal(p.as_bytes(), expected.as_bytes()).is_ok())
}

/// The `csrf` field of a URL-encoded form body.
pub fn form_field(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_belongs_to_one_session() {
        let a = token("a");
        assert!(matches(&a, Some(&a)));
        assert!(!matches(&a, Some(&token("b"))));
        assert!(!matches(&a, None));
        assert_eq!(form_field(b"x=1&csrf=abc%20d"), Some("abc d".into()));
    }
}

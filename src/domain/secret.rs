//! Secrets: API keys, fix codes and calendar feed tokens. They never print; only their hashes are stored.

use std::fmt;

use aws_lc_rs::digest;

use crate::random::secure_bytes;

/// A vendor's API key as presented or freshly issued. 256 random bits, hex: base64url could
/// start with `-`, which a command line reads as an option (`--admin-key "$KEY"`).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

/// Shortest `FACTORY_ADMIN_KEY` the factory accepts.
pub const MIN_CONFIGURED_KEY_LEN: usize = 32;
const MAX_KEY_LEN: usize = 512;

impl ApiKey {
    pub fn generate() -> Self {
        Self(hex(&secure_bytes::<32>()))
    }

    /// A key an operator configured (`FACTORY_ADMIN_KEY`): long enough to be a secret. The
    /// error says why, never what the key was.
    pub fn configured(raw: &str) -> Result<Self, String> {
        let len = raw.trim().chars().count();
        if len < MIN_CONFIGURED_KEY_LEN {
            return Err(format!(
                "FACTORY_ADMIN_KEY must be at least {MIN_CONFIGURED_KEY_LEN} characters (it has {len})"
            ));
        }
        Self::parse(raw).ok_or_else(|| format!("FACTORY_ADMIN_KEY must be at most {MAX_KEY_LEN} bytes"))
    }

    /// Wraps a key a client presented or an operator configured; any non-empty string.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        (!raw.is_empty() && raw.len() <= MAX_KEY_LEN).then(|| Self(raw.to_owned()))
    }

    pub fn hash(&self) -> KeyHash {
        KeyHash::of(self.0.as_bytes())
    }

    /// The plain key, for the one response that shows it and the admin.key file.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of an API key. Keys carry 256 bits of entropy, so a fast hash is enough.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyHash([u8; 32]);

impl KeyHash {
    pub fn of(bytes: &[u8]) -> Self {
        let d = digest::digest(&digest::SHA256, bytes);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        Self(out)
    }

    pub fn to_hex(self) -> String {
        hex(&self.0)
    }

    pub fn from_hex(hex: &str) -> Option<Self> {
        if hex.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Self(out))
    }
}

impl fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyHash({}…)", &self.to_hex()[..8])
    }
}

/// The one-time code in a report URL. 128 random bits, hex. Unlike an API key it must be kept
/// in plain text: every chaotic response repeats it.
#[derive(Clone, PartialEq, Eq)]
pub struct FixCode(String);

impl FixCode {
    pub fn generate() -> Self {
        Self(hex(&secure_bytes::<16>()))
    }

    /// Restores a code read back from the store.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison with a code a client sent.
    pub fn matches(&self, candidate: &str) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(self.0.as_bytes(), candidate.as_bytes()).is_ok()
    }
}

impl fmt::Debug for FixCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FixCode(<redacted>)")
    }
}

/// The secret in a calendar feed's URL. 128 random bits, hex, like a fix code; unlike one it is
/// only shown once and kept as its hash (`KeyHash`), as API keys and console sessions are.
#[derive(Clone, PartialEq, Eq)]
pub struct FeedToken(String);

impl FeedToken {
    pub fn generate() -> Self {
        Self(hex(&secure_bytes::<16>()))
    }

    /// A token as a URL presents it, whatever its shape: looked up by its hash like a real one,
    /// so a malformed token is answered exactly as an unknown one.
    pub fn presented(raw: &str) -> Self {
        Self(raw.to_owned())
    }

    pub fn hash(&self) -> KeyHash {
        KeyHash::of(self.0.as_bytes())
    }

    /// The plain token, for the one response that shows the feed's URL.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for FeedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FeedToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_never_print() {
        let key = ApiKey::generate();
        assert_eq!(key.expose().len(), 64);
        assert_ne!(key, ApiKey::generate());
        // Hex: never a leading `-` that a command line would take for an option.
        for _ in 0..1000 {
            assert!(ApiKey::generate().expose().bytes().all(|b| b.is_ascii_hexdigit()));
        }
        assert!(!format!("{key:?}").contains(key.expose()));
    }

    #[test]
    fn configured_keys_are_long_enough_and_errors_never_echo_them() {
        let short = "short-secret-admin-key";
        let err = ApiKey::configured(short).unwrap_err();
        assert_eq!(err, "FACTORY_ADMIN_KEY must be at least 32 characters (it has 22)");
        assert!(ApiKey::configured(&"k".repeat(32)).is_ok());
        assert!(!ApiKey::configured(&"k".repeat(600)).unwrap_err().contains("kkk"));
    }

    #[test]
    fn hash_round_trips_through_hex() {
        let h = ApiKey::parse("abc").unwrap().hash();
        assert_eq!(KeyHash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(KeyHash::from_hex("zz"), None);
    }

    #[test]
    fn feed_tokens_are_128_bits_of_hex_and_never_print() {
        let token = FeedToken::generate();
        assert_eq!(token.expose().len(), 32);
        assert!(token.expose().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(FeedToken::presented(token.expose()), token);
        assert_ne!(FeedToken::generate(), token);
        assert_eq!(token.hash(), KeyHash::of(token.expose().as_bytes()));
        assert!(!format!("{token:?}").contains(token.expose()));
    }

    #[test]
    fn fix_codes_are_128_bits_and_compare_exactly() {
        let code = FixCode::generate();
        assert_eq!(code.expose().len(), 32);
        assert!(code.matches(code.expose()));
        assert!(!code.matches(&code.expose()[..31]));
        assert!(!format!("{code:?}").contains(code.expose()));
    }
}

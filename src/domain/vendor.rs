//! Vendors: the JWT Pizza backends that order tickets, and the admins among them.

use std::fmt;

use chrono::{DateTime, Utc};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// 1–64 characters of `A-Za-z0-9_-`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct VendorId(String);

impl VendorId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err("id must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VendorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for VendorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VendorId({})", self.0)
    }
}

impl<'de> Deserialize<'de> for VendorId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for VendorId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "VendorId".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"})
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Vendor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Vendor => "vendor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "vendor" => Some(Role::Vendor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// `roles` always includes `vendor`; order kept stable for display.
pub fn normalize_roles(roles: &[Role]) -> Vec<Role> {
    let mut out = vec![Role::Vendor];
    if roles.contains(&Role::Admin) {
        out.push(Role::Admin);
    }
    out
}

#[derive(Clone, Debug, PartialEq)]
pub struct Vendor {
    pub id: VendorId,
    pub name: String,
    pub email: Option<String>,
    pub website: Option<String>,
    pub git_hub_url: Option<String>,
    pub roles: Vec<Role>,
    pub created: DateTime<Utc>,
    /// This lifetime of the id: a vendor deleted and created again under the same id is another
    /// vendor, and never sees or inherits the incidents of the first. Never shown.
    pub uid: Uuid,
}

impl Vendor {
    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::Admin)
    }
}

/// Checks a free-text field: no control characters (they would forge log lines, CSV rows and
/// report lines), trimmed, non-empty when given, bounded.
pub fn text_field(field: &str, value: &str, max: usize) -> Result<String, String> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(format!(
            "{field} must not contain control characters (found U+{:04X})",
            u32::from(c)
        ));
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if value.chars().count() > max {
        return Err(format!("{field} must be at most {max} characters"));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_ids_are_restricted() {
        assert!(VendorId::parse("team-7_a").is_ok());
        assert!(VendorId::parse("").is_err());
        assert!(VendorId::parse("a b").is_err());
        assert!(VendorId::parse("../x").is_err());
        assert!(VendorId::parse(&"a".repeat(65)).is_err());
        assert!(VendorId::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn text_fields_refuse_control_characters() {
        assert_eq!(text_field("name", " Team 7 ", 10), Ok("Team 7".into()));
        assert_eq!(
            text_field("email", "a@b.c\r\nBcc: x", 100),
            Err("email must not contain control characters (found U+000D)".into())
        );
        assert!(text_field("name", "\u{0}", 10).is_err());
        assert!(text_field("name", "tab\there", 10).is_err());
    }

    #[test]
    fn roles_always_include_vendor() {
        assert_eq!(normalize_roles(&[]), vec![Role::Vendor]);
        assert_eq!(
            normalize_roles(&[Role::Admin, Role::Vendor, Role::Admin]),
            vec![Role::Vendor, Role::Admin]
        );
    }
}

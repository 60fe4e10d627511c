//! Response bodies as types: handlers send these, and the OpenAPI document describes them.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::directory::VendorEntry;
use crate::domain::{ChaosMode, IncidentState, Pause, Role, Vendor, VendorId};

/// Every error, and the compat messages of the report URL.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub message: String,
    /// Present on responses of an active chaos.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_url: Option<String>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VendorFields {
    pub id: VendorId,
    pub name: String,
    pub email: Option<String>,
    pub website: Option<String>,
    pub git_hub_url: Option<String>,
    #[serde(serialize_with = "crate::domain::instant::ms")]
    pub created: DateTime<Utc>,
    pub roles: Vec<Role>,
}

impl From<&Vendor> for VendorFields {
    fn from(v: &Vendor) -> Self {
        Self {
            id: v.id.clone(),
            name: v.name.clone(),
            email: v.email.clone(),
            website: v.website.clone(),
            git_hub_url: v.git_hub_url.clone(),
            created: v.created,
            roles: v.roles.clone(),
        }
    }
}

/// `chaos` as a vendor sees it: `{"type":"none"}` unless chaos is active.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OwnChaos {
    /// `none`, or the mode of the active chaos.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::domain::instant::ms_opt"
    )]
    pub start_date: Option<DateTime<Utc>>,
}

#[derive(Serialize, JsonSchema)]
pub struct OwnVendor {
    #[serde(flatten)]
    pub fields: VendorFields,
    pub chaos: OwnChaos,
}

/// A vendor's pending or active chaos, as admins see it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingChaos {
    pub incident_id: Uuid,
    pub state: IncidentState,
    pub mode: ChaosMode,
    #[serde(serialize_with = "crate::domain::instant::ms")]
    pub start_at: DateTime<Utc>,
}

#[derive(Serialize, JsonSchema)]
pub struct AdminVendor {
    #[serde(flatten)]
    pub fields: VendorFields,
    pub chaos: Option<PendingChaos>,
}

impl AdminVendor {
    pub fn new(entry: &VendorEntry, now: DateTime<Utc>) -> Self {
        Self {
            fields: (&entry.vendor).into(),
            chaos: entry.chaos.as_ref().map(|c| PendingChaos {
                incident_id: c.incident_id,
                // Past its start it is active: an expired one has left the directory by now.
                state: if c.is_due(now) {
                    IncidentState::Active
                } else {
                    IncidentState::Scheduled
                },
                mode: c.mode,
                start_at: c.start_at,
            }),
        }
    }
}

/// The only response that ever shows a vendor's API key.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedVendor {
    #[serde(flatten)]
    pub vendor: AdminVendor,
    pub api_key: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssuedKey {
    pub api_key: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    pub jwt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_url: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct Verified {
    pub message: String,
    /// The ticket's claims: vendor, diner, order, iss, iat, exp, jti.
    pub payload: Value,
}

#[derive(Serialize, JsonSchema)]
pub struct Jwks {
    /// JWKs with `kid`, `kty`, `alg` and `use: "sig"`.
    pub keys: Vec<Value>,
}

#[derive(Serialize, JsonSchema)]
pub struct NewKid {
    pub kid: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Halted {
    /// Incidents ended or cancelled.
    pub halted: usize,
    #[serde(serialize_with = "crate::domain::instant::ms_opt")]
    pub paused_until: Option<DateTime<Utc>>,
}

/// The chaos pause: while `paused`, no chaos starts before `until`.
#[derive(Serialize, JsonSchema)]
pub struct PauseState {
    pub paused: bool,
    #[serde(serialize_with = "crate::domain::instant::ms_opt")]
    pub until: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

impl From<Option<Pause>> for PauseState {
    fn from(pause: Option<Pause>) -> Self {
        Self {
            paused: pause.is_some(),
            until: pause.as_ref().map(|p| p.until),
            reason: pause.map(|p| p.reason),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct Health {
    pub status: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocEntry {
    pub method: String,
    pub path: String,
    pub requires_auth: bool,
    pub description: String,
    pub example: String,
    pub response: Value,
}

#[derive(Serialize, JsonSchema)]
pub struct Docs {
    pub message: String,
    pub version: String,
    pub endpoints: Vec<DocEntry>,
}

/// The documented shape of an order (the handler keeps unknown fields as sent).
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct OrderRequest {
    pub diner: serde_json::Map<String, Value>,
    pub order: OrderDoc,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct OrderDoc {
    #[schemars(length(min = 1, max = 20))]
    pub items: Vec<ItemDoc>,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct ItemDoc {
    /// In ₿, at most all the bitcoin there will ever be.
    #[schemars(range(min = 0.0, max = 21_000_000.0))]
    pub price: f64,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct VerifyRequest {
    pub jwt: String,
}

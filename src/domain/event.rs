//! Events: what happened in the factory, in one order (`seq`), for admins and their tools.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{TimelineEvent, Vendor, VendorId};

/// Every event type of the contract (API.md, "Events"), the one list webhooks subscribe from.
/// The chaos ones are timeline kinds; any other kind becomes `chaos.<kind>` too, so a new kind
/// is an event without a change here (and subscribable once listed).
pub const EVENT_TYPES: &[&str] = &[
    "chaos.scheduled",
    "chaos.started",
    "chaos.first_failure",
    "chaos.resolved",
    "chaos.expired",
    "chaos.cancelled",
    CHAOS_HALTED,
    VENDOR_CREATED,
    VENDOR_DELETED,
    VENDOR_KEY_ROTATED,
];
pub const VENDOR_CREATED: &str = "vendor.created";
pub const VENDOR_DELETED: &str = "vendor.deleted";
pub const VENDOR_KEY_ROTATED: &str = "vendor.key_rotated";
/// The kill switch's endings: timeline kind `resolved` or `cancelled`, event type this.
pub const CHAOS_HALTED: &str = "chaos.halted";

/// An event about to be written, in the transaction of the change it tells of.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewEvent {
    /// `chaos.*` or `vendor.*`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(serialize_with = "crate::domain::instant::ms")]
    pub at: DateTime<Utc>,
    #[schemars(with = "Option<VendorId>")]
    pub vendor_id: Option<String>,
    pub incident_id: Option<Uuid>,
    /// What the type says more precisely: for chaos, the timeline `kind`, the `mode` and the
    /// timeline's words (`text`); for a vendor, its `name`. Never a key or a fix code.
    pub detail: Value,
}

/// A stored event, with its place in the one order of events.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Event {
    pub seq: i64,
    #[serde(flatten)]
    pub event: NewEvent,
}

impl NewEvent {
    /// The event of a timeline entry of `incident` (of `vendor`, in `mode`); `halted` when the
    /// kill switch ended it.
    pub fn chaos(vendor: &str, incident: Uuid, mode: &str, entry: &TimelineEvent, halted: bool) -> Self {
        let kind = if halted {
            CHAOS_HALTED.to_owned()
        } else {
            format!("chaos.{}", entry.kind)
        };
        Self {
            kind,
            at: entry.at,
            vendor_id: Some(vendor.to_owned()),
            incident_id: Some(incident),
            detail: json!({"kind": entry.kind, "mode": mode, "text": entry.detail}),
        }
    }

    pub fn vendor_created(vendor: &Vendor) -> Self {
        Self::vendor(VENDOR_CREATED, vendor.created, &vendor.id, json!({"name": vendor.name}))
    }

    pub fn vendor_deleted(vendor: &VendorId, at: DateTime<Utc>) -> Self {
        Self::vendor(VENDOR_DELETED, at, vendor, json!({}))
    }

    /// A new key replaced the vendor's keys; the key itself is never in an event.
    pub fn key_rotated(vendor: &VendorId, at: DateTime<Utc>) -> Self {
        Self::vendor(VENDOR_KEY_ROTATED, at, vendor, json!({}))
    }

    fn vendor(kind: &str, at: DateTime<Utc>, vendor: &VendorId, detail: Value) -> Self {
        Self {
            kind: kind.to_owned(),
            at,
            vendor_id: Some(vendor.as_str().to_owned()),
            incident_id: None,
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn timeline_kinds_become_chaos_types_and_the_kill_switch_its_own() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 19, 0, 0).unwrap();
        let id = Uuid::nil();
        let resolved = TimelineEvent::new(at, "resolved", "ended by admin");
        assert_eq!(
            NewEvent::chaos("v", id, "fail", &resolved, false).kind,
            "chaos.resolved"
        );
        assert_eq!(NewEvent::chaos("v", id, "fail", &resolved, true).kind, CHAOS_HALTED);
        let moved = TimelineEvent::new(at, "rescheduled", "moved");
        assert_eq!(
            NewEvent::chaos("v", id, "fail", &moved, false).kind,
            "chaos.rescheduled"
        );
        for kind in [
            "scheduled",
            "started",
            "first_failure",
            "resolved",
            "expired",
            "cancelled",
        ] {
            let e = NewEvent::chaos("v", id, "fail", &TimelineEvent::new(at, kind, ""), false);
            assert!(EVENT_TYPES.contains(&e.kind.as_str()), "{kind}");
        }
        let json = serde_json::to_value(Event {
            seq: 3,
            event: NewEvent::chaos("v", id, "fail", &resolved, false),
        })
        .unwrap();
        assert_eq!(json["seq"], 3);
        assert_eq!(json["type"], "chaos.resolved");
        assert_eq!(json["at"], "2026-12-01T19:00:00.000Z");
        assert_eq!(json["vendorId"], "v");
        assert_eq!(json["detail"]["text"], "ended by admin");
    }
}

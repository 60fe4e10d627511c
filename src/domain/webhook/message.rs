//! An event as webhooks send it. The store keeps the event JSON, written with the event; the
//! body is made from it at send time: the JSON itself for `json` webhooks, one line people
//! read for `slack` ones. The line depends on the event alone, so every retry sends the same
//! body, and the store needs no public URL.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Format;
use crate::domain::{Event, NewEvent};

/// One event, ready to be enqueued for every webhook subscribed to its type.
#[derive(Clone, Debug, PartialEq)]
pub struct HookEvent {
    /// `None` while PostgreSQL has not numbered the event: its commit trigger (migration 0012)
    /// sets the delivery's seq and the payload's `seq` then.
    pub seq: Option<i64>,
    pub kind: String,
    pub at: DateTime<Utc>,
    /// The event JSON of the contract (`{seq, type, at, vendorId, incidentId, detail}`).
    pub json: String,
}

impl HookEvent {
    /// An event that has its seq.
    pub fn numbered(seq: i64, event: &NewEvent) -> Self {
        Self::from_json(Some(seq), event, seq)
    }

    /// An event whose seq is given at commit; the JSON's `seq` is 0 until then.
    pub fn unnumbered(event: &NewEvent) -> Self {
        Self::from_json(None, event, 0)
    }

    fn from_json(seq: Option<i64>, event: &NewEvent, written: i64) -> Self {
        let json = serde_json::to_string(&Event {
            seq: written,
            event: event.clone(),
        })
        .expect("an event serializes");
        Self {
            seq,
            kind: event.kind.clone(),
            at: event.at,
            json,
        }
    }
}

/// The body of a delivery of `payload` (the stored event JSON) to a webhook in `format`.
pub fn body(format: Format, kind: &str, payload: &str, public_url: &str) -> String {
    match format {
        Format::Json => payload.to_owned(),
        Format::Slack => {
            let event: Value = serde_json::from_str(payload).unwrap_or(Value::Null);
            json!({ "text": slack_line(kind, &event, public_url) }).to_string()
        }
    }
}

/// "Chaos started for team9 (fail) — <console link>".
pub fn slack_line(kind: &str, event: &Value, public_url: &str) -> String {
    let vendor = event["vendorId"].as_str().unwrap_or("a vendor");
    let what = match kind {
        "chaos.scheduled" => format!("Chaos scheduled for {vendor}"),
        "chaos.started" => format!("Chaos started for {vendor}"),
        "chaos.first_failure" => format!("First failed order for {vendor}"),
        "chaos.resolved" => format!("Chaos resolved for {vendor}"),
        "chaos.expired" => format!("Chaos expired for {vendor}"),
        "chaos.cancelled" => format!("Chaos cancelled for {vendor}"),
        "chaos.halted" => format!("Chaos halted for {vendor}"),
        "vendor.created" => format!("Vendor {vendor} created"),
        "vendor.deleted" => format!("Vendor {vendor} deleted"),
        "vendor.key_rotated" => format!("API key of {vendor} rotated"),
        other => format!("{other} for {vendor}"),
    };
    let mode = event["detail"]["mode"]
        .as_str()
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    let link = match (event["incidentId"].as_str(), event["vendorId"].as_str()) {
        (Some(incident), _) => format!("{public_url}/admin/incidents/{incident}"),
        (None, Some(vendor)) => format!("{public_url}/admin/vendors/{vendor}"),
        (None, None) => format!("{public_url}/admin"),
    };
    format!("{what}{mode} — {link}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_line_reads_as_a_sentence_with_a_console_link() {
        let event = json!({"seq": 4, "type": "chaos.started", "vendorId": "team9", "incidentId": "abc", "detail": {"mode": "fail"}});
        assert_eq!(
            slack_line("chaos.started", &event, "https://f.example"),
            "Chaos started for team9 (fail) — https://f.example/admin/incidents/abc"
        );
        let payload = event.to_string();
        let slack: Value =
            serde_json::from_str(&body(Format::Slack, "chaos.started", &payload, "https://f.example")).unwrap();
        assert!(slack["text"].as_str().unwrap().starts_with("Chaos started"));
        assert_eq!(
            body(Format::Json, "chaos.started", &payload, "https://f.example"),
            payload
        );
    }
}

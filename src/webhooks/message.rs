//! An event as webhooks send it: the event JSON for `json` webhooks and one line people read
//! for `slack` ones, both written once when the event is recorded.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// One event, ready to be enqueued for every webhook subscribed to its type.
#[derive(Clone, Debug, PartialEq)]
pub struct HookEvent {
    pub seq: i64,
    pub kind: String,
    pub at: DateTime<Utc>,
    /// The body of a `json` delivery: the event JSON.
    pub json: String,
    /// The body of a `slack` delivery: `{"text": ...}`.
    pub slack: String,
}

impl HookEvent {
    /// From the event JSON of the contract (`{seq, type, at, vendorId, incidentId, detail}`);
    /// `public_url` makes the console link of the Slack line.
    pub fn new(seq: i64, kind: &str, at: DateTime<Utc>, event: &Value, public_url: &str) -> Self {
        Self {
            seq,
            kind: kind.to_owned(),
            at,
            json: event.to_string(),
            slack: json!({ "text": slack_line(kind, event, public_url) }).to_string(),
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
        let hook = HookEvent::new(4, "chaos.started", Utc::now(), &event, "https://f.example");
        let body: Value = serde_json::from_str(&hook.slack).unwrap();
        assert!(body["text"].as_str().unwrap().starts_with("Chaos started"));
        assert_eq!(serde_json::from_str::<Value>(&hook.json).unwrap(), event);
    }
}

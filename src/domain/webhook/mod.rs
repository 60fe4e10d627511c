//! What a webhook and a delivery are, as the routes, the store and the worker share them.

pub mod message;

pub use message::HookEvent;

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::random::secure_bytes;

/// Every event type a webhook may subscribe to: the events' own list.
pub use super::event::EVENT_TYPES;

/// What a webhook gets when it names no types: every `chaos.*` type.
pub fn default_events() -> Vec<String> {
    EVENT_TYPES
        .iter()
        .filter(|t| t.starts_with("chaos."))
        .map(|t| (*t).to_owned())
        .collect()
}

/// How a delivery's body is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The event JSON itself.
    Json,
    /// `{"text": "<one line>"}`, what Slack and Mattermost incoming webhooks read.
    Slack,
}

impl Format {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "json" => Some(Self::Json),
            "slack" => Some(Self::Slack),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Slack => "slack",
        }
    }
}

/// A webhook's signing secret. Shown once, in the registration answer; it never prints
/// (no `Display`, redacted `Debug`), so it cannot slip into a log line or an error.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// 256 bits from the OS generator, hex, with a prefix that says what it is.
    pub fn generate() -> Self {
        let hex: String = secure_bytes::<32>().iter().map(|b| format!("{b:02x}")).collect();
        Self(format!("whsec_{hex}"))
    }

    /// A secret read back from the store.
    pub fn stored(raw: String) -> Self {
        Self(raw)
    }

    /// The plain secret: for the registration answer, the store and the signature only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// A registered webhook, without its secret.
#[derive(Clone, Debug, PartialEq)]
pub struct Webhook {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub format: Format,
    pub created_at: DateTime<Utc>,
}

/// The column that lists a webhook's event types: each framed by commas (`,a,b,`), so one
/// `position`/`instr` test in SQL says whether a type is subscribed, the same in both stores.
pub fn events_column(events: &[String]) -> String {
    format!(",{},", events.join(","))
}

pub fn events_from_column(raw: &str) -> Vec<String> {
    raw.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryState {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "delivered" => Some(Self::Delivered),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

/// One row of a webhook's delivery log.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub id: Uuid,
    pub event_seq: i64,
    pub event_type: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A delivery a worker has claimed, with what it needs to make the attempt.
#[derive(Clone, Debug)]
pub struct DueDelivery {
    pub id: Uuid,
    pub url: String,
    pub secret: WebhookSecret,
    pub format: Format,
    pub event_type: String,
    pub payload: String,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
}

/// How one attempt ended, as the store records it.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub state: DeliveryState,
    pub status: Option<u16>,
    /// Why it failed, in words that carry no secret and no URL.
    pub error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
}

/// What a retry by hand found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retried {
    /// Due now.
    Due,
    /// It was delivered already; nothing changed.
    Delivered,
    /// No such delivery of this webhook.
    NotFound,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_never_print() {
        let (a, b) = (WebhookSecret::generate(), WebhookSecret::generate());
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), "whsec_".len() + 64);
        assert!(!format!("{a:?}").contains(&a.expose()[6..]));
    }

    #[test]
    fn event_column_round_trips() {
        let events = default_events();
        assert_eq!(events.len(), 7);
        assert_eq!(events_from_column(&events_column(&events)), events);
    }
}

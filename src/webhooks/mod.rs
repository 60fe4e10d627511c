//! Webhooks: admins' endpoints told of events, each delivery signed, stored with its event and
//! retried until it lands. The store side is `store::webhooks`; the event side calls
//! `enqueue_deliveries` in the transaction that records an event.

pub mod sign;
pub mod target;
pub mod worker;

pub use crate::domain::webhook::{Delivery, DeliveryState, DueDelivery, Format, Webhook, WebhookSecret};
pub use crate::domain::webhook::{HookEvent, message};

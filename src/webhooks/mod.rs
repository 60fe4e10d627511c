//! Webhooks: admins' endpoints told of events, each delivery signed, stored with its event and
//! retried until it lands. The store side is `store::webhooks`; the event side calls
//! `enqueue_deliveries` in the transaction that records an event.

pub mod message;
pub mod model;
pub mod sign;
pub mod target;
pub mod worker;

pub use message::HookEvent;
pub use model::{Delivery, DeliveryState, DueDelivery, Format, Webhook, WebhookSecret};

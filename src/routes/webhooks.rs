//! Webhooks (admin): register, list, delete, read a delivery log, retry a delivery by hand.

use actix_web::{HttpResponse, web};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::instant;
use crate::domain::webhook::{EVENT_TYPES, Retried, default_events};
use crate::factory::Factory;
use crate::http::{AdminCaller, ApiError};
use crate::webhooks::{Delivery, DeliveryState, Format, Webhook, WebhookSecret, target};

/// Webhooks one factory keeps at most: each event fans out to all of them.
pub const MAX_WEBHOOKS: usize = 50;
/// Deliveries a log answers, newest first.
const LOG_LIMIT: usize = 100;

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWebhook {
    /// Where deliveries are POSTed: http(s), a public address unless FACTORY_WEBHOOK_ALLOW_PRIVATE=1.
    url: String,
    /// Event types to deliver (default: every chaos.* type).
    events: Option<Vec<String>>,
    /// `json` (the event, the default) or `slack` (`{"text": ...}`).
    format: Option<String>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookView {
    id: Uuid,
    url: String,
    events: Vec<String>,
    format: &'static str,
    created_at: String,
}

impl From<Webhook> for WebhookView {
    fn from(w: Webhook) -> Self {
        Self {
            id: w.id,
            url: w.url,
            events: w.events,
            format: w.format.as_str(),
            created_at: instant::format(&w.created_at),
        }
    }
}

/// The registration answer: the only one that holds the secret.
#[derive(Serialize, JsonSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    webhook: WebhookView,
    /// Signs every delivery (`X-Factory-Signature`); shown only here.
    secret: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    id: Uuid,
    event_seq: i64,
    event_type: String,
    state: &'static str,
    attempts: u32,
    last_status: Option<u16>,
    last_error: Option<String>,
    /// When the next attempt is due; null once delivered or failed.
    next_attempt_at: Option<String>,
    created_at: String,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event_seq: d.event_seq,
            event_type: d.event_type,
            state: d.state.as_str(),
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            next_attempt_at: (d.state == DeliveryState::Pending).then(|| instant::format(&d.next_attempt_at)),
            created_at: instant::format(&d.created_at),
        }
    }
}

fn event_types(asked: Option<Vec<String>>) -> Result<Vec<String>, ApiError> {
    let Some(asked) = asked else {
        return Ok(default_events());
    };
    if asked.is_empty() {
        return Err(ApiError::bad_request("events must name at least one event type"));
    }
    let mut events: Vec<String> = Vec::new();
    for kind in asked {
        if !EVENT_TYPES.contains(&kind.as_str()) {
            return Err(ApiError::bad_request(format!(
                "events: unknown event type {kind:?} (known: {})",
                EVENT_TYPES.join(", ")
            )));
        }
        if !events.contains(&kind) {
            events.push(kind);
        }
    }
    Ok(events)
}

pub async fn create(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    body: web::Json<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let format = match body.format.as_deref() {
        None => Format::Json,
        Some(raw) => Format::parse(raw).ok_or_else(|| ApiError::bad_request("format must be json or slack"))?,
    };
    let events = event_types(body.events)?;
    let url = target::check_url(&body.url, f.config.webhook_allow_private)
        .await
        .map_err(ApiError::bad_request)?;
    let webhook = Webhook {
        id: Uuid::new_v4(),
        url: url.to_string(),
        events,
        format,
        created_at: f.clock.now(),
    };
    let secret = WebhookSecret::generate();
    if !f
        .store
        .webhooks()
        .create_webhook(&webhook, &secret, MAX_WEBHOOKS)
        .await?
    {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_WEBHOOKS} webhooks may be registered; delete one first"
        )));
    }
    log::info!("webhook {} registered ({} events)", webhook.id, webhook.events.len());
    Ok(HttpResponse::Created().json(CreatedWebhook {
        webhook: webhook.into(),
        secret: secret.expose().to_owned(),
    }))
}

pub async fn list(f: web::Data<Factory>, _admin: AdminCaller) -> Result<HttpResponse, ApiError> {
    let hooks: Vec<WebhookView> = f
        .store
        .webhooks()
        .webhooks()
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(hooks))
}

fn parse_id(raw: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::bad_request(format!("{what} id must be a UUID")))
}

fn no_webhook() -> ApiError {
    ApiError::not_found("webhook not found")
}

pub async fn delete(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path, "webhook")?;
    if !f.store.webhooks().delete_webhook(id).await? {
        return Err(no_webhook());
    }
    log::info!("webhook {id} deleted");
    Ok(HttpResponse::NoContent().finish())
}

pub async fn deliveries(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path, "webhook")?;
    let log = f
        .store
        .webhooks()
        .deliveries(id, LOG_LIMIT)
        .await?
        .ok_or_else(no_webhook)?;
    Ok(HttpResponse::Ok().json(log.into_iter().map(DeliveryView::from).collect::<Vec<_>>()))
}

/// Makes a pending or failed delivery due now; the worker attempts it on its next step.
pub async fn retry(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (hook, delivery) = path.into_inner();
    let (hook, delivery) = (parse_id(&hook, "webhook")?, parse_id(&delivery, "delivery")?);
    match f.store.webhooks().retry_delivery(hook, delivery, f.clock.now()).await? {
        Retried::Due => Ok(HttpResponse::Accepted().json(serde_json::json!({"message": "delivery is due now"}))),
        Retried::Delivered => Err(ApiError::conflict("this delivery was delivered already")),
        Retried::NotFound => Err(ApiError::not_found("no such delivery of this webhook")),
    }
}

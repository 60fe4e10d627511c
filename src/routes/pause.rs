//! The kill switch and the chaos pause: halt, resume, and what the pause is now.

use actix_web::{HttpResponse, web};
use chrono::DateTime;
use schemars::JsonSchema;
use serde::Deserialize;

use super::bodies::{Halted, PauseState};
use super::refusals::chaos_error;
use crate::chaos::pause::{self, HaltRequest};
use crate::domain::incident::reason;
use crate::factory::Factory;
use crate::http::{AdminCaller, ApiError};

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Halt {
    #[schemars(with = "super::schemas::Reason")]
    pub(crate) reason: String,
    /// An RFC 3339 instant: no chaos starts before it; what falls due meanwhile is moved to the
    /// configured window of the first day after it.
    #[schemars(with = "Option<super::schemas::Instant>")]
    pub(crate) until: Option<String>,
    /// Also cancel every scheduled chaos (default: scheduled chaos stays scheduled).
    pub(crate) cancel_scheduled: Option<bool>,
}

pub async fn halt(f: web::Data<Factory>, admin: AdminCaller, body: web::Json<Halt>) -> Result<HttpResponse, ApiError> {
    let done = halt_all(&f, body.into_inner(), &admin.label()).await?;
    Ok(HttpResponse::Ok().json(Halted {
        halted: done.halted,
        paused_until: done.paused_until,
    }))
}

/// Checks a halt and carries it out: the rule for the API and the console.
pub(crate) async fn halt_all(f: &Factory, body: Halt, by: &str) -> Result<pause::Halted, ApiError> {
    let until = body
        .until
        .map(|t| DateTime::parse_from_rfc3339(&t).map(|t| t.to_utc()))
        .transpose()
        .map_err(|_| ApiError::bad_request("until must be an RFC 3339 instant"))?;
    let request = HaltRequest {
        reason: reason(&body.reason).map_err(ApiError::bad_request)?,
        until,
        cancel_scheduled: body.cancel_scheduled.unwrap_or(false),
    };
    pause::halt(f, by, request).await.map_err(chaos_error)
}

pub async fn resume(f: web::Data<Factory>, admin: AdminCaller) -> Result<HttpResponse, ApiError> {
    pause::resume(&f, &admin.label()).await?;
    Ok(HttpResponse::Ok().json(PauseState::from(None)))
}

pub async fn state(f: web::Data<Factory>, _admin: AdminCaller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(PauseState::from(pause::current(&f).await?)))
}

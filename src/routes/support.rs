//! The report URL: the student's way to resolve chaos (compat messages).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::chaos::{self, FixOutcome};
use crate::factory::Factory;
use crate::http::ApiError;
use crate::http::client_ip::client_ip;

/// Where a report URL points; a browser's page for it lives in `crate::student`.
pub const REPORT_PATH: &str = "/api/support/{vendor}/report/{code}";

pub async fn report(
    f: web::Data<Factory>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (who, code) = path.into_inner();
    let client = client_ip(&req, &f.config.trusted_proxies.0);
    let outcome = chaos::use_fix_code(&f, &who, &code, client).await?;
    let body = json!({ "message": outcome.message() });
    Ok(match outcome {
        FixOutcome::Resolved(_) | FixOutcome::NoChaos => HttpResponse::Ok().json(body),
        FixOutcome::Wrong => HttpResponse::BadRequest().json(body),
        FixOutcome::Limited(wait) => return Err(ApiError::too_many(wait, outcome.message())),
    })
}

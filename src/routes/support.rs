//! The report URL: the student's way to resolve chaos (compat messages).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::chaos::{self, FixOutcome};
use crate::factory::Factory;
use crate::http::ApiError;
use crate::http::client_ip::client_ip;

pub async fn report(
    f: web::Data<Factory>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (who, code) = path.into_inner();
    let client = client_ip(&req, &f.config.trusted_proxies.0);
    let message = |m: &str| json!({ "message": m });
    Ok(match chaos::use_fix_code(&f, &who, &code, client).await? {
        FixOutcome::Resolved => HttpResponse::Ok().json(message("Problem resolved. Pizza is back on the menu!")),
        FixOutcome::Wrong => HttpResponse::BadRequest().json(message("Problem unresolved")),
        FixOutcome::NoChaos => HttpResponse::Ok().json(message("No chaos currently executing")),
        FixOutcome::Limited(wait) => return Err(ApiError::too_many(wait)),
    })
}

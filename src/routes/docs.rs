//! `/api/docs` (compat shape): every route of the catalog with an example and a sample response.

use actix_web::HttpResponse;
use serde_json::Value;

use super::bodies::{DocEntry, Docs};
use super::endpoint::Endpoint;

/// The catalog is handed in: it names this handler, so this module cannot reach up to it.
pub fn docs(endpoints: &[Endpoint], public_url: &str) -> HttpResponse {
    let endpoints = endpoints
        .iter()
        .map(|ep| DocEntry {
            method: ep.method.into(),
            path: ep.path.into(),
            requires_auth: ep.requires_auth(),
            description: ep.description.into(),
            example: ep.example.replace("$FACTORY", public_url),
            response: serde_json::from_str(ep.sample).unwrap_or(Value::Null),
        })
        .collect();
    HttpResponse::Ok().json(Docs {
        message: "welcome to JWT Pizza Factory".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        endpoints,
    })
}

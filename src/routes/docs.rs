//! `/api/docs` (compat shape): every route of the catalog with an example and a sample response.

use actix_web::{HttpResponse, web};
use serde_json::Value;

use super::bodies::{DocEntry, Docs};
use super::catalog::ENDPOINTS;
use crate::factory::Factory;

pub async fn docs(f: web::Data<Factory>) -> HttpResponse {
    let endpoints = ENDPOINTS
        .iter()
        .map(|ep| DocEntry {
            method: ep.method.into(),
            path: ep.path.into(),
            requires_auth: ep.requires_auth(),
            description: ep.description.into(),
            example: ep.example.replace("$FACTORY", &f.public_url),
            response: serde_json::from_str(ep.sample).unwrap_or(Value::Null),
        })
        .collect();
    HttpResponse::Ok().json(Docs {
        message: "welcome to JWT Pizza Factory".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        endpoints,
    })
}

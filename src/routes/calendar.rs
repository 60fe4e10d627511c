//! Calendar routes: admins make, list and revoke feeds; the feed itself answers its secret URL
//! without a Bearer header, which calendar apps cannot send.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::calendar;
use crate::domain::instant;
use crate::factory::Factory;
use crate::http::{AdminCaller, ApiError};

/// A new feed: its URL holds the token, shown only in this answer.
#[derive(Serialize, JsonSchema)]
pub struct CreatedFeed {
    pub id: Uuid,
    pub url: String,
}

/// A feed as listed: never its token or URL.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Feed {
    pub id: Uuid,
    #[serde(serialize_with = "instant::ms")]
    #[schemars(with = "String")]
    pub created: DateTime<Utc>,
    pub created_by: String,
}

pub async fn create(f: web::Data<Factory>, admin: AdminCaller) -> Result<HttpResponse, ApiError> {
    let (feed, token) = calendar::create(&f, &admin.label()).await?;
    Ok(HttpResponse::Created().json(CreatedFeed {
        id: feed.id,
        url: calendar::url(&f, &token),
    }))
}

pub async fn list(f: web::Data<Factory>, _admin: AdminCaller) -> Result<HttpResponse, ApiError> {
    let feeds: Vec<Feed> = f
        .store
        .feeds()
        .await?
        .into_iter()
        .map(|feed| Feed {
            id: feed.id,
            created: feed.created,
            created_by: feed.created_by,
        })
        .collect();
    Ok(super::paging::all(&feeds))
}

pub async fn revoke(
    f: web::Data<Factory>,
    admin: AdminCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let missing = || ApiError::not_found(format!("calendar feed {} not found", path.as_str()));
    let id = Uuid::parse_str(&path).map_err(|_| missing())?;
    if !calendar::revoke(&f, id, &admin.label()).await? {
        return Err(missing());
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/calendar/{token}.ics`: unknown, revoked and malformed tokens all get this one 404.
pub async fn feed(f: web::Data<Factory>, token: web::Path<String>) -> Result<HttpResponse, ApiError> {
    match calendar::feed(&f, &token).await? {
        Some(ics) => Ok(HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "text/calendar; charset=utf-8"))
            // The URL is the secret: no shared cache may keep a copy.
            .insert_header((CACHE_CONTROL, "private, no-cache"))
            .body(ics)),
        None => Err(ApiError::not_found("calendar feed not found")),
    }
}

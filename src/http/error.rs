//! One error type for every route, answered as `{"message"}` with a precise status.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde_json::json;

use crate::store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// What the client is told.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401 with the compat message.
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid authentication")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    pub fn too_many(retry_after: u64, message: impl Into<String>) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, message)
        }
    }

    /// A failure that is ours, not the client's: logged with its cause, answered without it.
    pub fn unexpected(context: &str, cause: impl std::fmt::Display) -> Self {
        log::error!("{context}: {cause}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after {
            res.insert_header((RETRY_AFTER, secs.to_string()));
        }
        res.insert_header((CONTENT_TYPE, HeaderValue::from_static("application/json")))
            .body(json!({ "message": self.message }).to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(detail) => {
                log::warn!("store conflict: {detail}");
                ApiError::conflict("conflict with the current state")
            }
            StoreError::NotFound(detail) => ApiError::not_found(detail),
            StoreError::Unavailable(detail) => {
                log::error!("store unavailable: {detail}");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "store unavailable, try again")
            }
        }
    }
}

/// 404 for paths no route knows (compat message).
pub async fn unknown_endpoint() -> HttpResponse {
    ApiError::not_found("unknown endpoint").error_response()
}

/// 405 with the methods the path does allow, in `Allow`.
pub async fn method_not_allowed(allow: String) -> HttpResponse {
    let mut res = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method not allowed here; use {allow}"),
    )
    .error_response();
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allow) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, value);
    }
    res
}

/// Maps actix's JSON extractor failures to precise statuses.
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    match &err {
        E::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        ),
        E::Overflow { limit } | E::OverflowKnownLength { limit, .. } => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("body larger than {limit} bytes"))
        }
        E::Deserialize(e) if e.is_data() => ApiError::bad_request(format!("invalid body: {e}")),
        E::Deserialize(e) => ApiError::bad_request(format!("malformed JSON: {e}")),
        other => ApiError::bad_request(format!("unreadable body: {other}")),
    }
    .into()
}

/// A JSON body as `T`, a type error naming its field: serde says "expected a boolean" but not
/// where, so each field is tried alone to find the one to name. Every field of `T` must be
/// optional for that search to work.
pub fn body_naming_field<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> Result<T, ApiError> {
    let map = match &body {
        serde_json::Value::Object(map) => map.clone(),
        _ => return Err(ApiError::bad_request("invalid body: expected a JSON object")),
    };
    serde_json::from_value(body).map_err(|whole| {
        for (field, value) in map {
            let alone = serde_json::Value::Object([(field.clone(), value)].into_iter().collect());
            if let Err(e) = serde_json::from_value::<T>(alone) {
                return ApiError::bad_request(format!("invalid body: {field}: {e}"));
            }
        }
        ApiError::bad_request(format!("invalid body: {whole}"))
    })
}

pub fn path_error(err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::not_found(format!("not found: {err}")).into()
}

pub fn query_error(err: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("invalid query: {err}")).into()
}

//! Lists that never truncate silently: every list answers `X-Total-Count`, and a page with more
//! after it names the next one in `Link: <...>; rel="next"`.

use actix_web::http::header::{HeaderName, LINK};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::http::ApiError;

pub const MAX_LIMIT: usize = 1000;
/// Far past any list the factory keeps; beyond it an offset is a mistake, not a page.
pub const MAX_OFFSET: usize = 1_000_000_000;
const DEFAULT_LIMIT: usize = 100;

#[derive(Clone, Copy, Debug)]
pub struct Page {
    pub limit: usize,
    pub offset: usize,
}

impl Page {
    /// The page a query asks for: `limit` 1 to 1000 (default 100), `offset` from 0.
    pub fn of(limit: Option<usize>, offset: Option<usize>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::bad_request(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            )));
        }
        let offset = offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(ApiError::bad_request(format!("offset must be at most {MAX_OFFSET}")));
        }
        Ok(Self { limit, offset })
    }
}

/// A whole list in one answer: its length is the total.
pub fn all<T: Serialize>(items: &[T]) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((HeaderName::from_static("x-total-count"), items.len()))
        .json(items)
}

/// One page of a list of `total` items, with the link to the next page when one remains.
pub fn page<T: Serialize>(req: &HttpRequest, public_url: &str, page: Page, total: u64, items: &[T]) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    res.insert_header((HeaderName::from_static("x-total-count"), total));
    let next = page.offset.saturating_add(items.len());
    if !items.is_empty() && (next as u64) < total {
        res.insert_header((LINK, format!("<{}>; rel=\"next\"", next_url(req, public_url, next))));
    }
    res.json(items)
}

/// This request's URL with `offset` set to `next`, every other parameter kept.
fn next_url(req: &HttpRequest, public_url: &str, next: usize) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(req.query_string().as_bytes()).filter(|(k, _)| k != "offset") {
        query.append_pair(&k, &v);
    }
    query.append_pair("offset", &next.to_string());
    format!("{public_url}{}?{}", req.path(), query.finish())
}

//! `/admin/events/stream`: the event stream for the console's pages, on the session cookie an
//! EventSource sends (it cannot send a Bearer key). The same stream and broadcaster as the API's.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::events::stream::Start;
use crate::factory::Factory;
use crate::http::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    after: Option<String>,
}

/// Reached only through the console's guard, so only with an admin's live session. A page
/// needs only what happens from now on, not the whole history.
pub async fn stream(
    f: web::Data<Factory>,
    req: HttpRequest,
    query: web::Query<StreamQuery>,
) -> Result<HttpResponse, ApiError> {
    crate::events::stream::open(f.into_inner(), &req, query.after.as_deref(), Start::Now).await
}

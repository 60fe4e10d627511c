//! The student's page for a report URL opened in a browser. A GET that prefers HTML (a browser,
//! a chat tool previewing the link) shows what the link does and resolves nothing; its form
//! POST resolves through the very function the JSON API calls. Every other request falls
//! through to the JSON route (`routes::support`), which knows nothing of pages.

mod pages;

use actix_web::guard::{self, GuardContext};
use actix_web::http::header::{Accept, ContentType, RETRY_AFTER};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use uuid::Uuid;

use crate::chaos::report::Audience;
use crate::chaos::{self, FixOutcome, scheduler};
use crate::domain::Incident;
use crate::factory::Factory;
use crate::http::client_ip::client_ip;
use crate::http::negotiate::prefers_html;
use crate::http::{ApiError, page};
use crate::routes::support::REPORT_PATH;
use pages::{IncidentView, LinkPage, OutcomePage, POLICY};

/// Registers the page ahead of the JSON route; its guard lets everything else through to it.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(REPORT_PATH)
            .guard(guard::fn_guard(wants_page))
            .route(web::get().to(show))
            .route(web::post().to(resolve)),
    );
}

/// A GET that prefers HTML, or a POST sent by an HTML form. HEAD never: it goes on to the JSON
/// route, which does not know it (405), so it can never resolve.
fn wants_page(ctx: &GuardContext) -> bool {
    match ctx.head().method {
        Method::GET => prefers_html(ctx.header::<Accept>().as_ref()),
        Method::POST => ctx
            .header::<ContentType>()
            .is_some_and(|t| t.0.essence_str() == actix_web::mime::APPLICATION_WWW_FORM_URLENCODED.essence_str()),
        _ => false,
    }
}

/// Describes the link; uses nothing and checks no code (a code check here would be a free
/// oracle around the wrong-code limit).
async fn show(f: web::Data<Factory>, path: web::Path<(String, String)>) -> HttpResponse {
    let (who, _code) = path.into_inner();
    let vendor = chaos::reported_vendor(&f, &who);
    let biting = vendor.as_ref().and_then(|e| chaos::biting(&f, e, f.clock.now()));
    render(StatusCode::OK, &LinkPage::new(vendor.as_deref(), biting.as_deref()))
}

/// Resolves as any POST does, and shows what that did.
async fn resolve(f: web::Data<Factory>, req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (who, code) = path.into_inner();
    let client = client_ip(&req, &f.config.trusted_proxies.0);
    let outcome = match chaos::use_fix_code(&f, &who, &code, client).await {
        Ok(outcome) => outcome,
        Err(e) => return failure(ApiError::from(e)),
    };
    let incident = match &outcome {
        FixOutcome::Resolved(id) => match ended(&f, *id).await {
            Ok(incident) => incident,
            Err(e) => return failure(e),
        },
        _ => None,
    };
    let vendor = chaos::reported_vendor(&f, &who).map_or_else(|| who_of(&incident), |e| e.vendor.name.clone());
    let view = incident
        .as_ref()
        .map(|i| IncidentView::new(i, &vendor, Audience::of(&f.config)));
    let status = match outcome {
        FixOutcome::Resolved(_) | FixOutcome::NoChaos => StatusCode::OK,
        FixOutcome::Wrong => StatusCode::BAD_REQUEST,
        FixOutcome::Limited(_) => StatusCode::TOO_MANY_REQUESTS,
    };
    let mut res = render(status, &OutcomePage::new(&outcome, outcome.message(), view));
    if let FixOutcome::Limited(wait) = outcome {
        res.headers_mut().insert(RETRY_AFTER, wait.into());
    }
    res
}

/// The incident a report just resolved, with the counters of its last orders written first.
async fn ended(f: &Factory, id: Uuid) -> Result<Option<Incident>, ApiError> {
    scheduler::flush_stats(f).await;
    Ok(f.store
        .incident(id)
        .await?
        .map(|i| i.presented(f.config.time_zone, f.config.btc_usd)))
}

/// The vendor's id from its incident, when the vendor itself is gone from the directory.
fn who_of(incident: &Option<Incident>) -> String {
    incident.as_ref().map(|i| i.vendor_id.to_string()).unwrap_or_default()
}

fn failure(e: ApiError) -> HttpResponse {
    render(e.status(), &OutcomePage::failure(e.message()))
}

fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => page::html(status, &POLICY, body),
        Err(e) => actix_web::ResponseError::error_response(&ApiError::unexpected("rendering a student page", e)),
    }
}

//! What every page shares: the frame around it, rendering, redirects, and problems as pages.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::session::Session;
use crate::http::ApiError;

/// The frame's data: who is signed in, the token its forms carry, the page it is on.
pub struct Chrome {
    pub who: String,
    pub csrf: String,
    pub nav: &'static str,
    /// Where the live figures come from, if this page has any.
    pub live: Option<String>,
}

impl Chrome {
    pub fn new(s: &Session, nav: &'static str) -> Self {
        Self {
            who: s.admin.vendor.name.clone(),
            csrf: s.csrf.clone(),
            nav,
            live: None,
        }
    }

    pub fn live(mut self, url: String) -> Self {
        self.live = Some(url);
        self
    }
}

pub fn html(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(e) => {
            log::error!("rendering a console page: {e}");
            HttpResponse::InternalServerError().body("the page could not be rendered")
        }
    }
}

pub fn ok(page: &impl Template) -> HttpResponse {
    html(StatusCode::OK, page)
}

/// Post/Redirect/Get, and the way to the sign-in page.
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((LOCATION, to)).finish()
}

#[derive(Template)]
#[template(path = "console/problem.html")]
struct Problem<'a> {
    status: u16,
    message: &'a str,
}

/// A refusal as a small page of its own (no frame: there may be no session).
pub fn problem_response(status: StatusCode, message: &str) -> HttpResponse {
    html(
        status,
        &Problem {
            status: status.as_u16(),
            message,
        },
    )
}

/// An API error met while serving a page, with its status and message.
pub fn problem(e: ApiError) -> HttpResponse {
    problem_response(e.status(), e.message())
}

pub async fn not_found() -> HttpResponse {
    problem_response(StatusCode::NOT_FOUND, "no such console page")
}

/// A domain function's refusal, placed next to the form field it names (its message starts
/// with the field: `window.tz must be …`, `params.probability …`), else above the form.
#[derive(Default)]
pub struct FormError {
    field: String,
    pub message: String,
}

impl FormError {
    pub fn of(e: &ApiError) -> Self {
        let message = e.message().to_owned();
        let field = message.split([' ', ':']).next().unwrap_or_default().to_owned();
        Self { field, message }
    }

    /// The message if it concerns `field`.
    pub fn at(&self, field: &str) -> &str {
        if self.field == field { &self.message } else { "" }
    }

    /// The message if it concerns none of `fields`: shown above the form.
    pub fn general(&self, fields: &[&str]) -> &str {
        if fields.contains(&self.field.as_str()) {
            ""
        } else {
            &self.message
        }
    }
}

/// An instant in the configured zone, as people in the class read it.
pub fn local(t: DateTime<Utc>, tz: Tz) -> String {
    crate::chaos::report::local_time(t, tz)
}

/// An instant as the live script reads it (RFC 3339, milliseconds).
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An empty form field is an absent one.
pub fn given(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

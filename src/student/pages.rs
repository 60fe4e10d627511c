//! The student's pages as typed templates (`templates/student/`): what they show, in words.

use std::sync::LazyLock;

use askama::Template;

use crate::chaos::FixOutcome;
use crate::chaos::report::{Audience, local_time, words};
use crate::directory::{LiveChaos, VendorEntry};
use crate::domain::Incident;

/// The pages' only style, inline so a page is one request; the policy allows exactly it.
pub const CSS: &str = include_str!("../../templates/student/student.css");
pub static POLICY: LazyLock<String> = LazyLock::new(|| crate::http::page::policy(CSS));

pub struct VendorView {
    pub id: String,
    pub name: String,
}

/// What a report link does, shown before anything is used.
#[derive(Template)]
#[template(path = "student/link.html")]
pub struct LinkPage {
    pub title: &'static str,
    pub css: &'static str,
    pub vendor: Option<VendorView>,
    /// The mode of the chaos biting now; a merely scheduled chaos is never shown.
    pub active: Option<String>,
}

impl LinkPage {
    pub fn new(vendor: Option<&VendorEntry>, biting: Option<&LiveChaos>) -> Self {
        Self {
            title: "Report a pizza outage",
            css: CSS,
            vendor: vendor.map(|e| VendorView {
                id: e.vendor.id.to_string(),
                name: e.vendor.name.clone(),
            }),
            active: biting.map(|c| c.mode.to_string()),
        }
    }
}

/// The incident's figures as the student should see them.
pub struct IncidentView {
    pub vendor: String,
    pub mode: String,
    pub started_at: String,
    pub failed_orders: String,
    pub lost_revenue: String,
    pub time_to_resolve: String,
}

impl IncidentView {
    pub fn new(incident: &Incident, vendor: &str, audience: Audience) -> Self {
        let unknown = || "not recorded".to_owned();
        Self {
            vendor: vendor.to_owned(),
            mode: incident.mode.to_string(),
            started_at: incident.started_at.map_or_else(unknown, |t| local_time(t, audience.tz)),
            failed_orders: incident.stats.orders_failed.to_string(),
            lost_revenue: words::money(incident.stats.lost_revenue, audience.btc_usd),
            time_to_resolve: incident.seconds_to_resolve().map_or_else(unknown, words::duration),
        }
    }
}

/// What pressing "Resolve" did: the compat message, what it means, and the incident it ended.
#[derive(Template)]
#[template(path = "student/outcome.html")]
pub struct OutcomePage {
    pub title: &'static str,
    pub css: &'static str,
    /// A CSS class: `ok`, `warn` or `bad`.
    pub tone: &'static str,
    pub message: String,
    pub explanation: String,
    pub incident: Option<IncidentView>,
}

impl OutcomePage {
    /// The page for `outcome`; `message` is the compat message its JSON twin answers.
    pub fn new(outcome: &FixOutcome, message: &str, incident: Option<IncidentView>) -> Self {
        let (tone, explanation) = match outcome {
            FixOutcome::Resolved(_) => (
                "ok",
                "The chaos has ended: the very next order is served normally.".to_owned(),
            ),
            FixOutcome::Wrong => (
                "bad",
                "This link's fix code does not belong to the chaos that is active. Each incident has its \
                 own code: use the newest report URL in your logs."
                    .to_owned(),
            ),
            FixOutcome::NoChaos => (
                "warn",
                "There is nothing to resolve: no chaos is active for this vendor right now (it may have \
                 been resolved already)."
                    .to_owned(),
            ),
            FixOutcome::Limited(wait) => (
                "bad",
                format!(
                    "Too many wrong fix codes came from your address. Try again in {}.",
                    words::duration(*wait as i64)
                ),
            ),
        };
        Self {
            title: "Report a pizza outage",
            css: CSS,
            tone,
            message: message.to_owned(),
            explanation,
            incident,
        }
    }

    /// A page for a failure of ours (the store), with the message the API would answer.
    pub fn failure(message: &str) -> Self {
        Self {
            title: "Report a pizza outage",
            css: CSS,
            tone: "bad",
            message: message.to_owned(),
            explanation: "Nothing was resolved. Try again in a moment.".to_owned(),
            incident: None,
        }
    }
}

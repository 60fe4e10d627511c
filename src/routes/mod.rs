//! Every route of the factory, registered from the catalog that also documents it.

pub mod bodies;
pub mod calendar;
pub mod catalog;
pub mod chaos;
pub mod docs;
pub mod endpoint;
pub mod events;
pub mod grades;
pub mod health;
pub mod incidents;
pub mod metrics;
pub mod openapi;
pub mod paging;
pub mod pause;
pub mod refusals;
pub mod roster;
pub mod scenarios;
pub mod schemas;
pub mod spreadsheet;
pub mod support;
pub mod tickets;
pub mod vendors;
pub mod webhooks;

use actix_web::web;

use crate::http::error::method_not_allowed;

/// The catalog's literal paths (`/api/order`, `/healthz`...): register these first. The router
/// tries resources in order, and a literal path is one string comparison while a path with
/// `{params}` runs a regex; registered first, the order path never pays for the others.
pub fn configure_literal(cfg: &mut web::ServiceConfig) {
    register(cfg, |path| !is_pattern(path));
}

/// The catalog's paths with `{params}`, after the literal ones (and after any resource that must
/// take a pattern's requests first, such as the student's report page).
pub fn configure_patterns(cfg: &mut web::ServiceConfig) {
    register(cfg, is_pattern);
}

fn is_pattern(path: &str) -> bool {
    path.contains('{')
}

/// One resource per path, with a route per method; other methods get a JSON 405 naming the
/// allowed ones in `Allow` (RFC 9110).
fn register(cfg: &mut web::ServiceConfig, wanted: fn(&str) -> bool) {
    let mut paths: Vec<&'static str> = Vec::new();
    for ep in catalog::ENDPOINTS.iter() {
        if wanted(ep.path) && !paths.contains(&ep.path) {
            paths.push(ep.path);
        }
    }
    for path in paths {
        let here = || catalog::ENDPOINTS.iter().filter(move |ep| ep.path == path);
        let allow = here().map(|ep| ep.method).collect::<Vec<_>>().join(", ");
        let refuse = move || method_not_allowed(allow.clone());
        let resource = here().fold(web::resource(path), |r, ep| r.route((ep.route)()));
        cfg.service(resource.default_service(web::to(refuse)));
    }
}

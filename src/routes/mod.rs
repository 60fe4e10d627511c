//! Every route of the factory, registered from the catalog that also documents it.

pub mod bodies;
pub mod catalog;
pub mod chaos;
pub mod docs;
pub mod endpoint;
pub mod events;
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

use actix_web::web;

use crate::http::error::method_not_allowed;

/// One resource per path, with a route per method; other methods get a JSON 405 naming the
/// allowed ones in `Allow` (RFC 9110).
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut paths: Vec<&'static str> = Vec::new();
    for ep in catalog::ENDPOINTS.iter() {
        if !paths.contains(&ep.path) {
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

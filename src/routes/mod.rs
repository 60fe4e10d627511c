//! Every route of the factory, registered from the catalog that also documents it.

pub mod bodies;
pub mod catalog;
pub mod chaos;
pub mod docs;
pub mod health;
pub mod incidents;
pub mod metrics;
pub mod openapi;
pub mod pause;
pub mod roster;
pub mod scenarios;
pub mod spreadsheet;
pub mod support;
pub mod tickets;
pub mod vendors;

use actix_web::{Resource, web};

use crate::http::error::method_not_allowed;

/// One resource per path, with a route per method; other methods get a JSON 405.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut resources: Vec<(&str, Option<Resource>)> = Vec::new();
    for ep in catalog::ENDPOINTS.iter() {
        if !resources.iter().any(|(path, _)| *path == ep.path) {
            let fresh = web::resource(ep.path).default_service(web::to(method_not_allowed));
            resources.push((ep.path, Some(fresh)));
        }
        let slot = resources
            .iter_mut()
            .find(|(path, _)| *path == ep.path)
            .map(|(_, r)| r)
            .expect("pushed above");
        *slot = slot.take().map(|r| r.route((ep.route)()));
    }
    for resource in resources.into_iter().filter_map(|(_, r)| r) {
        cfg.service(resource);
    }
}

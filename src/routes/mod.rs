//! Every route of the factory, registered in one place and listed by `/api/docs`.

pub mod chaos;
pub mod docs;
pub mod health;
pub mod incidents;
pub mod scenarios;
pub mod support;
pub mod tickets;
pub mod vendors;

use actix_web::{Resource, web};

use crate::http::error::method_not_allowed;

fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/order").route(web::post().to(tickets::order)))
        .service(resource("/api/order/verify").route(web::post().to(tickets::verify)))
        .service(resource("/.well-known/jwks.json").route(web::get().to(tickets::jwks)))
        .service(resource("/api/vendor").route(web::get().to(vendors::me)))
        .service(resource("/api/vendor/chaos/{mode}").route(web::put().to(chaos::vendor_request)))
        .service(resource("/api/vendor/incidents").route(web::get().to(incidents::vendor_list)))
        .service(resource("/api/vendor/incidents/{id}/report").route(web::get().to(incidents::vendor_report)))
        .service(
            resource("/api/support/{vendor}/report/{code}")
                .route(web::get().to(support::report))
                .route(web::post().to(support::report)),
        )
        .service(
            resource("/api/admin/vendors")
                .route(web::get().to(vendors::list))
                .route(web::post().to(vendors::create)),
        )
        .service(
            resource("/api/admin/vendors/{id}")
                .route(web::get().to(vendors::read))
                .route(web::patch().to(vendors::update))
                .route(web::delete().to(vendors::delete)),
        )
        .service(resource("/api/admin/vendors/{id}/apikey").route(web::post().to(vendors::rotate_key)))
        .service(
            resource("/api/admin/vendors/{id}/chaos")
                .route(web::post().to(chaos::admin_schedule))
                .route(web::delete().to(chaos::admin_end)),
        )
        .service(resource("/api/admin/chaos/halt").route(web::post().to(chaos::halt)))
        .service(resource("/api/admin/incidents").route(web::get().to(incidents::list)))
        .service(resource("/api/admin/incidents/{id}").route(web::get().to(incidents::read)))
        .service(resource("/api/admin/incidents/{id}/report").route(web::get().to(incidents::admin_report)))
        .service(resource("/api/admin/scenarios").route(web::get().to(scenarios::list)))
        .service(resource("/api/admin/scenarios/{name}/apply").route(web::post().to(scenarios::apply)))
        .service(resource("/api/admin/keys/rotate").route(web::post().to(tickets::rotate)))
        .service(resource("/api/docs").route(web::get().to(docs::docs)))
        .service(resource("/healthz").route(web::get().to(health::healthz)))
        .service(resource("/readyz").route(web::get().to(health::readyz)));
}

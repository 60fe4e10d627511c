//! The instructors' web console under `/admin`: server-rendered pages over the same domain
//! functions the JSON API calls. Every route sits behind `guard` (security headers, session,
//! CSRF), so a new page cannot forget them.

mod assets;
pub mod chart;
mod csrf;
mod grades;
mod guard;
mod incident;
mod incidents;
mod live;
mod overview;
mod page;
mod scenarios;
mod session;
mod sign_in;
mod vendor;
mod vendors;

use actix_web::middleware::from_fn;
use actix_web::web;

pub use session::COOKIE;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/admin")
            .wrap(from_fn(guard::guard))
            .app_data(web::FormConfig::default().limit(crate::http::BODY_LIMIT))
            .route("", web::get().to(overview::page))
            .route("/session", web::post().to(sign_in::sign_in))
            .route("/session/end", web::post().to(sign_in::sign_out))
            .route("/halt", web::post().to(overview::halt))
            .route("/resume", web::post().to(overview::resume))
            .route("/partials/overview", web::get().to(overview::partial))
            .route("/events/stream", web::get().to(live::stream))
            .route("/assets/{name}", web::get().to(assets::asset))
            .route("/vendors", web::get().to(vendors::page))
            .route("/vendors", web::post().to(vendors::create))
            .route("/vendors/import", web::post().to(vendors::import))
            .route("/vendors/{id}", web::get().to(vendor::page))
            .route("/vendors/{id}/key", web::post().to(vendors::rotate))
            .route("/vendors/{id}/delete", web::post().to(vendors::delete))
            .route("/vendors/{id}/chaos", web::post().to(vendor::schedule))
            .route("/vendors/{id}/chaos/end", web::post().to(vendor::end))
            .route("/vendors/{id}/chaos/move", web::post().to(vendor::reschedule))
            .route("/scenarios", web::get().to(scenarios::page))
            .route("/scenarios/{name}/apply", web::post().to(scenarios::apply))
            .route("/incidents", web::get().to(incidents::list))
            .route("/grades", web::get().to(grades::page))
            .route("/grades.csv", web::get().to(grades::csv))
            .route("/reports.md", web::get().to(grades::reports))
            .route("/incidents/{id}", web::get().to(incident::page))
            .route("/incidents/{id}/void", web::post().to(incident::void))
            .route("/partials/incidents/{id}", web::get().to(incident::partial))
            .default_service(web::to(page::not_found)),
    );
}

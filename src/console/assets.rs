//! The console's stylesheet and script, compiled into the binary: no CDN, works offline.

use actix_web::{HttpResponse, web};

const CSS: &str = include_str!("../../templates/console/assets/console.css");
const JS: &str = include_str!("../../templates/console/assets/console.js");

pub async fn asset(name: web::Path<String>) -> HttpResponse {
    let (body, kind) = match name.as_str() {
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "console.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return super::page::problem_response(actix_web::http::StatusCode::NOT_FOUND, "no such asset"),
    };
    HttpResponse::Ok().content_type(kind).body(body)
}

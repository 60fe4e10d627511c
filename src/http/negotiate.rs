//! Content negotiation on `Accept` (RFC 9110 §12.5.1): whether a client prefers an HTML page to
//! the JSON every route answers by default.

use actix_web::http::header::{Accept, Quality};

/// True when `Accept` gives `text/html` a higher quality than `application/json`: a browser
/// (`text/html,...,*/*;q=0.8`) or a link preview (`text/html`). A tie (`*/*`, no `Accept`, both
/// listed alike) or an unreadable header keeps JSON, the compat answer.
pub fn prefers_html(accept: Option<&Accept>) -> bool {
    accept.is_some_and(|a| quality(a, "text", "html") > quality(a, "application", "json"))
}

/// The quality `accept` gives `kind/sub`: that of the most specific range matching it
/// (`text/html` over `text/*` over `*/*`), zero when none does.
fn quality(accept: &Accept, kind: &str, sub: &str) -> Quality {
    accept
        .iter()
        .filter_map(|range| {
            let (k, s) = (range.item.type_().as_str(), range.item.subtype().as_str());
            let specificity = match (k == kind, s == sub) {
                (true, true) => 2,
                (true, false) if s == "*" => 1,
                _ if k == "*" && s == "*" => 0,
                _ => return None,
            };
            Some((specificity, range.quality))
        })
        .max()
        .map_or(Quality::ZERO, |(_, q)| q)
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::Header;
    use actix_web::test::TestRequest;

    use super::*;

    fn html(accept: Option<&str>) -> bool {
        let req = match accept {
            Some(a) => TestRequest::default().insert_header(("accept", a)),
            None => TestRequest::default(),
        };
        prefers_html(Accept::parse(&req.to_http_request()).ok().as_ref())
    }

    #[test]
    fn browsers_and_link_previews_prefer_html() {
        let chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
        assert!(html(Some(chrome)));
        assert!(html(Some("text/html")));
        assert!(html(Some("text/*, application/json;q=0.5")));
        assert!(html(Some("text/html;q=0.9, */*;q=0.1")));
    }

    #[test]
    fn everything_else_keeps_json() {
        for accept in [
            None,
            Some("*/*"),
            Some("application/json"),
            Some("application/json, text/html"),
            Some("text/html;q=0.5, application/json"),
            Some("text/html;q=0, */*"),
            Some("text/plain"),
            Some("not a media type"),
            Some(""),
        ] {
            assert!(!html(accept), "{accept:?}");
        }
    }
}

//! The student's page: a report URL opened in a browser (or previewed by a chat tool) shows what
//! it does and resolves nothing; its form POST resolves and shows the incident; every other
//! client keeps the compat JSON.

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, fix_code, spawn_app, spawn_with};

const CHROME: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
const FORM: &str = "application/x-www-form-urlencoded";
const RESOLVED: &str = "Problem resolved. Pizza is back on the menu!";

/// A vendor named `name` under `fail` chaos since now, one failed order of 1 ₿: its key, the
/// report URL and the incident id.
async fn failing(app: &TestApp, id: &str, name: &str) -> (String, String, String) {
    let (status, body) = app
        .admin(
            Method::POST,
            "/api/admin/vendors",
            Some(json!({"id": id, "name": name})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let key = body["apiKey"].as_str().unwrap().to_owned();
    let incident = app.chaos(id, json!({"mode": "fail", "start": "now"})).await;
    let (status, order) = app.order_json(&key, &[1.0]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let url = order["reportUrl"].as_str().unwrap().to_owned();
    (key, url, incident["id"].as_str().unwrap().to_owned())
}

async fn browse(app: &TestApp, url: &str, accept: &str) -> Response {
    app.client.get(url).header(ACCEPT, accept).send().await.unwrap()
}

async fn press_resolve(app: &TestApp, url: &str) -> Response {
    app.client
        .post(url)
        .header(CONTENT_TYPE, FORM)
        .header(ACCEPT, CHROME)
        .body("")
        .send()
        .await
        .unwrap()
}

/// The body of an HTML page, after checking it is one and carries every defensive header.
async fn page(res: Response) -> String {
    let h = res.headers().clone();
    let header = |name: &str| h.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert_eq!(header("content-type"), "text/html; charset=utf-8");
    let csp = header("content-security-policy");
    assert!(csp.starts_with("default-src 'self';"), "{csp}");
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("cache-control"), "no-store");
    res.text().await.unwrap()
}

async fn state(app: &TestApp, incident: &str) -> (Value, Value) {
    let i = app.incident(incident).await;
    (i["state"].clone(), i["resolvedBy"].clone())
}

#[tokio::test]
async fn an_html_get_describes_the_link_and_resolves_nothing() {
    let app = spawn_app().await;
    let (key, url, incident) = failing(&app, "team7", "Team Seven").await;
    for accept in [CHROME, "text/html"] {
        // A browser, then a chat tool previewing the link: neither may burn the code.
        let res = browse(&app, &url, accept).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = page(res).await;
        assert!(body.contains("Team Seven") && body.contains("team7"), "{body}");
        assert!(body.contains("Chaos is active right now"), "{body}");
        assert!(
            body.contains("<form method=\"post\">") && body.contains(">Resolve</button>"),
            "{body}"
        );
        assert!(!body.contains(&fix_code(&url)), "the page does not repeat the code");
        assert_eq!(app.order(&key).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(state(&app, &incident).await, (json!("active"), Value::Null));
    }
}

#[tokio::test]
async fn a_scheduled_chaos_is_not_revealed_and_an_unknown_vendor_is_said() {
    let app = spawn_app().await;
    app.create_vendor("calm").await;
    app.chaos("calm", json!({"mode": "fail", "start": "2026-12-02T19:00:00Z"}))
        .await;
    let body = page(
        browse(
            &app,
            &format!("{}/api/support/calm/report/{}", app.url, "0".repeat(32)),
            CHROME,
        )
        .await,
    )
    .await;
    assert!(body.contains("No chaos is active right now"), "{body}");
    assert!(!body.contains("Chaos is active") && !body.contains("schedul"), "{body}");
    let body = page(browse(&app, &format!("{}/api/support/nobody/report/x", app.url), CHROME).await).await;
    assert!(body.contains("knows no vendor"), "{body}");
}

#[tokio::test]
async fn the_form_post_resolves_and_shows_the_figures() {
    let app = spawn_with(|c| c.btc_usd = Some(96_619.10)).await;
    let (key, url, incident) = failing(&app, "team7", "Team Seven").await;
    app.advance(508);
    let res = press_resolve(&app, &url).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = page(res).await;
    for shown in [
        RESOLVED,
        "Team Seven",
        "2026-12-01 12:00:00 MST",
        "<dd>1</dd>",
        "1 ₿ ($96,619.10)",
        "8 minutes 28 seconds",
    ] {
        assert!(body.contains(shown), "{shown} missing from {body}");
    }
    assert_eq!(state(&app, &incident).await, (json!("resolved"), json!("report")));
    assert_eq!(app.order(&key).await.status(), StatusCode::OK);

    // Pressed again (a reload): the compat message of a used code, as a page.
    let res = press_resolve(&app, &url).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(page(res).await.contains("No chaos currently executing"));
}

#[tokio::test]
async fn wrong_codes_and_the_limit_answer_pages_with_the_compat_message() {
    let app = spawn_app().await;
    let (key, url, _) = failing(&app, "v", "V").await;
    let wrong = url.replace(&fix_code(&url), &"0".repeat(32));
    for _ in 0..10 {
        let res = press_resolve(&app, &wrong).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(page(res).await.contains("Problem unresolved"));
    }
    let res = press_resolve(&app, &url).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(page(res).await.contains("too many wrong fix codes; try again later"));
    assert_eq!(app.order(&key).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn json_and_star_gets_keep_the_compat_answer() {
    let app = spawn_app().await;
    for (vendor, accept) in [
        ("a", "application/json"),
        ("b", "*/*"),
        ("c", "text/html, application/json"),
    ] {
        let (key, url, incident) = failing(&app, vendor, vendor).await;
        let res = browse(&app, &url, accept).await;
        assert_eq!(res.status(), StatusCode::OK, "{accept}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"message": RESOLVED}));
        assert_eq!(state(&app, &incident).await, (json!("resolved"), json!("report")));
        assert_eq!(app.order(&key).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn head_never_resolves() {
    let app = spawn_app().await;
    let (key, url, incident) = failing(&app, "v", "V").await;
    for accept in [CHROME, "*/*"] {
        let res = app.client.head(&url).header(ACCEPT, accept).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{accept}");
        assert_eq!(res.headers()["allow"], "GET, POST");
    }
    assert_eq!(app.order(&key).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(state(&app, &incident).await, (json!("active"), Value::Null));
}

#[tokio::test]
async fn vendor_names_show_as_text() {
    let app = spawn_app().await;
    let name = "<img src=x onerror=alert(1)>";
    let (_, url, _) = failing(&app, "x", name).await;
    let escaped = "&#60;img src=x onerror=alert(1)&#62;";
    let link = page(browse(&app, &url, CHROME).await).await;
    let resolved = page(press_resolve(&app, &url).await).await;
    for body in [link, resolved] {
        assert!(!body.contains("<img"), "{body}");
        assert!(body.contains(escaped), "{body}");
    }
}

#[tokio::test]
async fn an_old_link_with_an_api_key_shows_its_vendor_never_the_key() {
    let app = spawn_app().await;
    let (key, url, incident) = failing(&app, "old", "Old Timers").await;
    let old = url.replace("/support/old/", &format!("/support/{key}/"));
    let body = page(browse(&app, &old, CHROME).await).await;
    assert!(
        body.contains("Old Timers") && body.contains("Chaos is active right now"),
        "{body}"
    );
    assert!(!body.contains(&key), "the page never repeats an API key");
    let body = page(press_resolve(&app, &old).await).await;
    assert!(body.contains(RESOLVED) && !body.contains(&key), "{body}");
    assert_eq!(state(&app, &incident).await, (json!("resolved"), json!("report")));
}

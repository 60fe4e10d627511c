//! The instructor console: sign-in, the session cookie and its expiry, sign-out, the wrong-key
//! limit, and the security headers on every page.

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::helpers::{ADMIN_KEY, TestApp, spawn_app, spawn_with};

/// A browser-like client of the console: no redirects followed, the session cookie kept.
pub struct Console {
    pub client: reqwest::Client,
    pub url: String,
    pub cookie: String,
    pub csrf: String,
}

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of `name="csrf"` in a page.
fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
    page[at..at + 64].to_owned()
}

impl Console {
    pub async fn sign_in(app: &TestApp) -> Console {
        Self::sign_in_with(app, ADMIN_KEY).await
    }

    pub async fn sign_in_with(app: &TestApp, key: &str) -> Console {
        let client = no_redirects();
        let res = client
            .post(format!("{}/admin/session", app.url))
            .form(&[("key", key)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let set = res.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        let cookie = set.split(';').next().unwrap().to_owned();
        let mut console = Console {
            client,
            url: app.url.clone(),
            cookie,
            csrf: String::new(),
        };
        let (status, page) = console.get("/admin").await;
        assert_eq!(status, StatusCode::OK);
        console.csrf = csrf_of(&page);
        console
    }

    pub async fn get_res(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self.get_res(path).await;
        (res.status(), res.text().await.unwrap())
    }

    /// A form POST with the session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// A form POST exactly as given (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .form(fields)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn without_a_session_the_sign_in_form_shows_and_pages_redirect_to_it() {
    let app = spawn_app().await;
    let client = no_redirects();
    let res = client.get(format!("{}/admin", app.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("name=\"key\"") && page.contains("type=\"password\""),
        "{page}"
    );
    for path in [
        "/admin/vendors",
        "/admin/vendors/admin",
        "/admin/scenarios",
        "/admin/incidents",
        "/admin/incidents/x",
    ] {
        let res = client.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.headers()[LOCATION], "/admin", "{path}");
    }
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_and_the_key_appears_nowhere() {
    let app = spawn_app().await;
    let res = no_redirects()
        .post(format!("{}/admin/session", app.url))
        .form(&[("key", ADMIN_KEY)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/admin");
    let set = res.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set.starts_with("factory_session="), "{set}");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(flag), "{flag} missing: {set}");
    }
    assert!(!set.contains("Secure"), "plain http: {set}");
    assert!(!set.contains(ADMIN_KEY));
    let id = set.split(';').next().unwrap().trim_start_matches("factory_session=");
    assert!(id.len() >= 32, "at least 128 bits: {id}");
    let console = Console::sign_in(&app).await;
    for path in ["/admin", "/admin/vendors", "/admin/vendors/admin"] {
        let (status, page) = console.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!page.contains(ADMIN_KEY), "{path} shows the key");
    }
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_public_url_is_https() {
    let app = spawn_with(|c| c.public_url = Some("https://factory.example.edu".into())).await;
    let res = no_redirects()
        .post(format!("{}/admin/session", app.url))
        .form(&[("key", ADMIN_KEY)])
        .send()
        .await
        .unwrap();
    assert!(res.headers()[SET_COOKIE].to_str().unwrap().contains("Secure"));
}

#[tokio::test]
async fn a_vendor_key_is_refused_and_wrong_keys_are_limited_per_address() {
    let app = spawn_app().await;
    let vendor_key = app.create_vendor("team1").await;
    let client = no_redirects();
    let try_key = |key: String| {
        let client = client.clone();
        let url = format!("{}/admin/session", app.url);
        async move { client.post(url).form(&[("key", key)]).send().await.unwrap() }
    };
    let res = try_key(vendor_key.clone()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers().get(SET_COOKIE).is_none());
    let page = res.text().await.unwrap();
    assert!(
        page.contains("not an admin key") && page.contains("name=\"key\""),
        "{page}"
    );
    assert!(!page.contains(&vendor_key));
    for i in 1..10 {
        assert_eq!(try_key(format!("wrong-{i}")).await.status(), StatusCode::UNAUTHORIZED);
    }
    let limited = try_key(ADMIN_KEY.into()).await;
    assert_eq!(
        limited.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right key waits"
    );
    assert!(limited.headers().contains_key("retry-after"));
    app.advance(61);
    assert_eq!(try_key(ADMIN_KEY.into()).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_session_expires_after_its_idle_time_on_the_factory_clock() {
    let app = spawn_with(|c| c.session_idle_minutes = 30).await;
    let console = Console::sign_in(&app).await;
    app.advance(29 * 60);
    assert_eq!(
        console.get("/admin/vendors").await.0,
        StatusCode::OK,
        "used: idle time starts again"
    );
    app.advance(29 * 60);
    assert_eq!(console.get("/admin/vendors").await.0, StatusCode::OK);
    app.advance(30 * 60 + 1);
    let res = console.get_res("/admin/vendors").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/admin");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app).await;
    let res = console.post("/admin/session/end", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cleared = res.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cleared.contains("Max-Age=0") || cleared.contains("Expires"),
        "{cleared}"
    );
    // The old cookie, replayed, signs nobody in.
    assert_eq!(console.get("/admin/vendors").await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_session_survives_a_restart() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app).await;
    let app = app.restart().await;
    let console = Console {
        url: app.url.clone(),
        ..console
    };
    let (status, page) = console.get("/admin/vendors").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Vendors"));
}

#[tokio::test]
async fn every_console_answer_sends_the_security_headers() {
    let app = spawn_app().await;
    app.create_vendor("team1").await;
    let (_, incident) = app
        .admin(
            reqwest::Method::POST,
            "/api/admin/vendors/team1/chaos",
            Some(json!({"mode": "fail", "start": "now"})),
        )
        .await;
    let console = Console::sign_in(&app).await;
    let id = incident["id"].as_str().unwrap();
    let paths = [
        "/admin".to_owned(),
        "/admin/vendors".into(),
        "/admin/vendors/team1".into(),
        "/admin/scenarios".into(),
        "/admin/incidents".into(),
        format!("/admin/incidents/{id}"),
        format!("/admin/partials/incidents/{id}"),
        "/admin/partials/overview".into(),
        "/admin/assets/console.css".into(),
        "/admin/assets/console.js".into(),
        "/admin/no-such-page".into(),
    ];
    let anonymous = no_redirects();
    for path in &paths {
        for res in [
            console.get_res(path).await,
            anonymous.get(format!("{}{path}", app.url)).send().await.unwrap(),
        ] {
            let h = res.headers();
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(
                csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
                "{path}: {csp}"
            );
            assert!(!csp.contains("unsafe-inline"), "{path}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
            assert_eq!(h[CACHE_CONTROL], "no-store", "{path}");
        }
    }
    let refused = console.post_raw("/admin/vendors", &[("id", "x"), ("name", "x")]).await;
    assert_eq!(refused.headers()["x-content-type-options"], "nosniff");
}

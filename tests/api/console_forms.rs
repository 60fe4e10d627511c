//! The console's forms: CSRF on every state-changing route, the API's rules and messages beside
//! the fields, Post/Redirect/Get, and hostile vendor names shown as text on every page.

use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::console::Console;
use crate::helpers::{TestApp, spawn_app};

/// Everything a refused request could have changed, read through the JSON API.
async fn snapshot(app: &TestApp) -> Vec<Value> {
    let mut all = Vec::new();
    for path in [
        "/api/admin/vendors",
        "/api/admin/incidents?includeVoided=true",
        "/api/admin/chaos/pause",
    ] {
        let (status, body) = app.admin(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        all.push(body);
    }
    all
}

async fn chaos_now(app: &TestApp, vendor: &str) -> String {
    let (status, incident) = app
        .admin(
            Method::POST,
            &format!("/api/admin/vendors/{vendor}/chaos"),
            Some(json!({"mode": "fail", "start": "now"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    incident["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_state_changing_console_route_refuses_a_missing_or_wrong_csrf_token() {
    let app = spawn_app().await;
    for v in ["team1", "team2", "team3", "team4"] {
        app.create_vendor(v).await;
    }
    chaos_now(&app, "team2").await;
    let (_, _) = app
        .admin(
            Method::POST,
            "/api/admin/vendors/team3/chaos",
            Some(json!({"mode": "fail", "start": "2026-12-03T19:00:00Z"})),
        )
        .await;
    let ended = chaos_now(&app, "team4").await;
    app.admin(Method::DELETE, "/api/admin/vendors/team4/chaos", None).await;
    let (_, scenarios) = app.admin(Method::GET, "/api/admin/scenarios", None).await;
    let scenario = scenarios[0]["name"].as_str().unwrap().to_owned();
    let apply = format!("/admin/scenarios/{scenario}/apply");
    let void = format!("/admin/incidents/{ended}/void");
    let routes: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/admin/vendors", vec![("id", "team9"), ("name", "Nine")]),
        ("/admin/vendors/import", vec![("roster", "id,name\nteam8,Eight\n")]),
        ("/admin/vendors/team1/key", vec![]),
        ("/admin/vendors/team1/chaos", vec![("mode", "fail"), ("start", "now")]),
        ("/admin/vendors/team2/chaos/end", vec![]),
        ("/admin/vendors/team3/chaos/move", vec![("start", "now")]),
        (apply.as_str(), vec![]),
        (void.as_str(), vec![("reason", "typo")]),
        ("/admin/halt", vec![("reason", "r"), ("confirm", "1")]),
        ("/admin/resume", vec![]),
        ("/admin/vendors/team1/delete", vec![("confirm", "1")]),
        ("/admin/session/end", vec![]),
    ];
    let console = Console::sign_in(&app).await;
    let before = snapshot(&app).await;
    for (path, fields) in &routes {
        let res = console.post_raw(path, fields).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path} without a token");
        let mut wrong = fields.clone();
        wrong.push((
            "csrf",
            "0000000000000000000000000000000000000000000000000000000000000000",
        ));
        assert_eq!(
            console.post_raw(path, &wrong).await.status(),
            StatusCode::FORBIDDEN,
            "{path} wrong token"
        );
        let res = console
            .client
            .post(format!("{}{path}", app.url))
            .header("cookie", &console.cookie)
            .header("x-csrf-token", "not-the-token")
            .form(fields)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path} wrong header");
    }
    assert_eq!(snapshot(&app).await, before, "a refused request changed nothing");
    assert_eq!(console.get("/admin/vendors").await.0, StatusCode::OK, "still signed in");
    // The same requests with the token are served: the list above names real routes.
    for (path, fields) in &routes {
        let status = console.post(path, fields).await.status();
        assert_ne!(status, StatusCode::FORBIDDEN, "{path} with its token");
        assert_ne!(status, StatusCode::NOT_FOUND, "{path} with its token");
    }
    // The header is as good as the field.
    let console = Console::sign_in(&app).await;
    let res = console
        .client
        .post(format!("{}/admin/vendors", app.url))
        .header("cookie", &console.cookie)
        .header("x-csrf-token", &console.csrf)
        .form(&[("id", "team7"), ("name", "Seven")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_schedule_form_shows_the_apis_message_beside_its_field_and_keeps_the_values() {
    let app = spawn_app().await;
    app.create_vendor("team1").await;
    let console = Console::sign_in(&app).await;
    let res = console
        .post(
            "/admin/vendors/team1/chaos",
            &[
                ("mode", "flaky"),
                ("start", "now"),
                ("probability", "3"),
                ("maxDurationSecs", "600"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let page = res.text().await.unwrap();
    let at = page.find("id=\"probability\"").unwrap();
    let beside = &page[at..at + 300];
    assert!(
        beside.contains("params.probability must be between 0 and 1"),
        "{beside}"
    );
    assert!(
        page.contains("value=\"3\"") && page.contains("value=\"600\""),
        "values kept"
    );
    let res = console
        .post(
            "/admin/vendors/team1/chaos",
            &[("mode", "fail"), ("start", "window"), ("tz", "Mars/Olympus")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("window.tz must be an IANA time zone")
    );
    // Success: 303 to the vendor page, and the chaos is the API's.
    let res = console
        .post(
            "/admin/vendors/team1/chaos",
            &[("mode", "flaky"), ("start", "now"), ("everyNth", "2")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/admin/vendors/team1");
    let (_, vendor) = app.admin(Method::GET, "/api/admin/vendors/team1", None).await;
    assert_eq!(vendor["chaos"]["mode"], "flaky");
    let (_, incidents) = app.admin(Method::GET, "/api/admin/incidents?vendor=team1", None).await;
    assert_eq!(incidents[0]["params"]["everyNth"], 2);
    assert_eq!(incidents[0]["initiatedBy"], "admin:admin");
}

#[tokio::test]
async fn hostile_vendor_names_show_as_text_on_every_page() {
    let app = spawn_app().await;
    let names = [
        ("x1", "<script>alert(1)</script>"),
        ("x2", "<img src=x onerror=alert(1)>"),
        ("x3", "[win](javascript:alert(1))"),
    ];
    let console = Console::sign_in(&app).await;
    let mut pages = Vec::new();
    for (id, name) in names {
        let res = console
            .post("/admin/vendors", &[("id", id), ("name", name), ("email", "")])
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        pages.push(res.text().await.unwrap());
        let incident = chaos_now(&app, id).await;
        let res = app
            .client
            .get(format!("{}/api/support/{id}/report/wrong", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        for path in [format!("/admin/vendors/{id}"), format!("/admin/incidents/{incident}")] {
            pages.push(console.get(&path).await.1);
        }
        app.admin(Method::DELETE, &format!("/api/admin/vendors/{id}/chaos"), None)
            .await;
        pages.push(console.get(&format!("/admin/incidents/{incident}")).await.1);
    }
    for path in [
        "/admin",
        "/admin/vendors",
        "/admin/incidents",
        "/admin/scenarios",
        "/admin/vendors?q=%3Cscript%3Ealert(1)%3C/script%3E",
    ] {
        pages.push(console.get(path).await.1);
    }
    pages.push(
        console
            .post("/admin/vendors", &[("id", "<script>alert(1)</script>"), ("name", "n")])
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(
        pages
            .iter()
            .any(|p| p.contains("&#60;script&#62;alert(1)&#60;/script&#62;")),
        "the name is shown"
    );
    for page in &pages {
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!page.contains("<img src=x"), "{page}");
        assert!(!page.contains("href=\"javascript:"), "{page}");
    }
}

#[tokio::test]
async fn the_incident_page_draws_its_orders_per_minute_with_markers() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app).await;
    let key = app.create_vendor("charted").await;
    let incident = app.chaos("charted", json!({"mode": "fail", "start": "now"})).await;
    let id = incident["id"].as_str().unwrap();
    let (_, before) = console.get(&format!("/admin/incidents/{id}")).await;
    for minute in 0..3 {
        for _ in 0..=minute {
            assert_eq!(app.order(&key).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
        }
        app.advance(60);
    }
    let (status, page) = console.get(&format!("/admin/incidents/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg") && page.contains("Orders per minute"), "{page}");
    assert!(
        page.contains("0 served, 6 failed"),
        "the chart's summary counts every order: {page}"
    );
    assert!(page.contains("start"), "a start marker: {page}");
    assert!(before.contains("<svg"), "drawn from the start while active");
}

#[tokio::test]
async fn the_incidents_page_pages_filters_and_sorts_a_term() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app).await;
    crate::paging::class_with_a_term(&app, 120).await;
    let rows = |page: &str| page.matches("href=\"/admin/incidents/").count();
    let (_, first) = console.get("/admin/incidents?state=scheduled&sort=start").await;
    assert!(first.contains("120 incidents · page 1 of 3"), "{first}");
    let (_, last) = console.get("/admin/incidents?state=scheduled&sort=start&page=3").await;
    assert!(last.contains("page 3 of 3"), "{last}");
    assert_eq!((rows(&first), rows(&last)), (50, 20));
    let (_, fails) = console.get("/admin/incidents?mode=fail").await;
    let (_, expected) = app.admin(Method::GET, "/api/admin/incidents?limit=1000", None).await;
    let n = expected
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["mode"] == "fail")
        .count();
    assert!(
        fails.contains(&format!("{n} incidents ·")),
        "{n} fail incidents: {fails}"
    );
}

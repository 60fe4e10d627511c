//! Calendar feeds through HTTP: the feed parsed back with the `ical` crate, revoked and unknown
//! URLs answering one 404, vendors kept out, and the token never in the log.

use std::collections::HashMap;

use chrono::{DateTime, Duration};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, TestApp, spawn_app};
use crate::process;

/// The events of a feed, by UID, each as its properties by name.
type Events = HashMap<String, HashMap<String, String>>;

async fn create_feed(app: &TestApp) -> (String, String) {
    let (status, body) = app.admin(Method::POST, "/api/admin/calendar", None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let url = body["url"].as_str().unwrap().to_owned();
    (body["id"].as_str().unwrap().to_owned(), url)
}

/// Fetches a feed and parses it with an iCalendar parser of its own (not the writer's crate).
async fn events(app: &TestApp, url: &str) -> Events {
    let res = app.client.get(url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CONTENT_TYPE], "text/calendar; charset=utf-8");
    let text = res.text().await.unwrap();
    let mut calendars = ical::IcalParser::new(text.as_bytes());
    let calendar = calendars.next().expect("one calendar").expect("the feed parses");
    assert!(calendars.next().is_none());
    calendar
        .events
        .into_iter()
        .map(|e| {
            let props: HashMap<String, String> = e
                .properties
                .into_iter()
                .map(|p| (p.name, p.value.unwrap_or_default()))
                .collect();
            (props["UID"].clone(), props)
        })
        .collect()
}

fn ics(t: &str) -> String {
    DateTime::parse_from_rfc3339(t)
        .unwrap()
        .to_utc()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

fn id(incident: &Value) -> String {
    incident["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_feed_lists_scheduled_active_and_past_chaos_and_leaves_out_the_rest() {
    let app = spawn_app().await;
    for v in ["v1", "v2", "v3", "v4", "v5", "v6"] {
        app.create_vendor(v).await;
    }
    let later = (app.clock_now() + Duration::days(1)).to_rfc3339();
    let scheduled = app
        .chaos(
            "v1",
            json!({"mode": "throttle", "start": later, "maxDurationSecs": 1800}),
        )
        .await;
    let active = app.chaos("v2", json!({"mode": "fail", "start": "now"})).await;
    app.chaos("v3", json!({"mode": "badjwt", "start": "now"})).await;
    app.advance(600);
    let (status, resolved) = app.admin(Method::DELETE, "/api/admin/vendors/v3/chaos", None).await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    let cancelled = app.chaos("v4", json!({"mode": "fail", "start": later})).await;
    app.admin(Method::DELETE, "/api/admin/vendors/v4/chaos", None).await;
    let voided = app.chaos("v5", json!({"mode": "fail", "start": "now"})).await;
    app.admin(Method::DELETE, "/api/admin/vendors/v5/chaos", None).await;
    let (status, _) = app
        .admin(
            Method::POST,
            &format!("/api/admin/incidents/{}/void", id(&voided)),
            Some(json!({"reason": "a test"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let drill = app
        .chaos("v6", json!({"mode": "fail", "start": "now", "drill": true}))
        .await;

    let (_, url) = create_feed(&app).await;
    let token = url
        .strip_prefix(&format!("{}/api/calendar/", app.url))
        .and_then(|t| t.strip_suffix(".ics"))
        .expect("the feed URL is under the public URL");
    assert!(
        token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
    app.advance(60);
    let feed = events(&app, &url).await;

    let mut uids: Vec<&String> = feed.keys().collect();
    uids.sort();
    let mut expected = [id(&scheduled), id(&active), id(&resolved)];
    expected.sort();
    assert_eq!(
        uids,
        expected.iter().collect::<Vec<_>>(),
        "cancelled, voided and drill left out"
    );
    for left_out in [&cancelled, &voided, &drill] {
        assert!(!feed.contains_key(&id(left_out)));
    }
    let stamp = app.clock_now().format("%Y%m%dT%H%M%SZ").to_string();
    let start = scheduled["startAt"].as_str().unwrap();
    let e = &feed[&id(&scheduled)];
    assert_eq!(e["DTSTART"], ics(start));
    let end = DateTime::parse_from_rfc3339(start).unwrap() + Duration::seconds(1800);
    assert_eq!(
        e["DTEND"],
        end.to_utc().format("%Y%m%dT%H%M%SZ").to_string(),
        "start + maxDurationSecs"
    );
    assert_eq!(e["STATUS"], "TENTATIVE");
    assert_eq!(e["SUMMARY"], "throttle chaos: Vendor v1");
    assert_eq!(e["DTSTAMP"], stamp, "DTSTAMP from the factory's clock");
    assert_eq!(e["URL"], format!("{}/admin/incidents/{}", app.url, id(&scheduled)));
    assert!(
        e["DESCRIPTION"].starts_with("State: scheduled."),
        "{}",
        e["DESCRIPTION"]
    );

    let e = &feed[&id(&active)];
    let started = active["startedAt"].as_str().unwrap();
    assert_eq!(e["DTSTART"], ics(started));
    let hour = DateTime::parse_from_rfc3339(started).unwrap().to_utc() + Duration::hours(1);
    assert_eq!(
        e["DTEND"],
        hour.format("%Y%m%dT%H%M%SZ").to_string(),
        "no maximum: an hour"
    );
    assert_eq!(e["STATUS"], "CONFIRMED");

    let e = &feed[&id(&resolved)];
    assert_eq!(e["DTSTART"], ics(resolved["startedAt"].as_str().unwrap()));
    assert_eq!(e["DTEND"], ics(resolved["resolvedAt"].as_str().unwrap()));
    assert!(e["DESCRIPTION"].starts_with("State: resolved."), "{}", e["DESCRIPTION"]);
    assert_eq!(e["SUMMARY"], "badjwt chaos: Vendor v3");
}

#[tokio::test]
async fn a_revoked_feed_and_an_unknown_token_answer_the_same_404() {
    let app = spawn_app().await;
    let (feed_id, url) = create_feed(&app).await;
    let (other_id, other_url) = create_feed(&app).await;
    let (status, list) = app.admin(Method::GET, "/api/admin/calendar", None).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&feed_id.as_str()) && ids.contains(&other_id.as_str()));
    assert!(list[0]["created"].is_string() && list[0]["createdBy"] == "admin:admin");
    let token = url.rsplit('/').next().unwrap().trim_end_matches(".ics");
    assert!(!list.to_string().contains(token), "the list never shows a token");

    let res = app
        .call(
            Method::DELETE,
            &format!("/api/admin/calendar/{feed_id}"),
            Some(ADMIN_KEY),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let gone = app.client.get(&url).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let gone: Value = gone.json().await.unwrap();
    assert_eq!(gone, json!({"message": "calendar feed not found"}));
    for path in [
        format!("/api/calendar/{}.ics", "0".repeat(32)),
        "/api/calendar/zz.ics".to_owned(),
        format!("/api/calendar/{}.ics", "f".repeat(300)),
    ] {
        let (status, body) = app.json(Method::GET, &path, None, None).await;
        assert_eq!((status, &body), (StatusCode::NOT_FOUND, &gone), "{path}");
    }
    // The other feed still answers; revoking twice or an unknown id is a 404.
    assert_eq!(
        app.client.get(&other_url).send().await.unwrap().status(),
        StatusCode::OK
    );
    let (status, body) = app
        .admin(Method::DELETE, &format!("/api/admin/calendar/{feed_id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], format!("calendar feed {feed_id} not found"));
    let (status, _) = app.admin(Method::DELETE, "/api/admin/calendar/not-a-uuid", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn vendors_can_neither_make_nor_see_calendar_feeds() {
    let app = spawn_app().await;
    let key = app.create_vendor("v1").await;
    let (feed_id, url) = create_feed(&app).await;
    let token = url.rsplit('/').next().unwrap().trim_end_matches(".ics").to_owned();
    for (method, path) in [
        (Method::POST, "/api/admin/calendar".to_owned()),
        (Method::GET, "/api/admin/calendar".to_owned()),
        (Method::DELETE, format!("/api/admin/calendar/{feed_id}")),
    ] {
        let (status, body) = app.json(method.clone(), &path, Some(&key), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
        assert!(body["message"].is_string());
        let (status, _) = app.json(method.clone(), &path, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    app.chaos("v1", json!({"mode": "fail", "start": "now"})).await;
    for path in ["/api/vendor", "/api/vendor/incidents", "/api/docs"] {
        let (_, body) = app.json(Method::GET, path, Some(&key), None).await;
        assert!(!body.to_string().contains(&token), "{path} reveals the feed");
    }
    let failed = app.order(&key).await.text().await.unwrap();
    assert!(!failed.contains(&token) && !failed.contains("/api/calendar/"));
    // The feed still answers, with no key at all.
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn the_feed_token_never_reaches_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let admin = "configured-admin-key-0123456789abcdef0123456789";
    let mut factory = process::start(dir.path(), &[("FACTORY_ADMIN_KEY", admin)]);
    let client = reqwest::Client::new();
    let created: Value = process::post(
        &client,
        &format!("{}/api/admin/calendar", factory.url),
        admin,
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    let url = created["url"].as_str().unwrap().to_owned();
    let token = url.rsplit('/').next().unwrap().trim_end_matches(".ics").to_owned();
    assert_eq!(client.get(&url).send().await.unwrap().status(), StatusCode::OK);
    let res = client
        .delete(format!(
            "{}/api/admin/calendar/{}",
            factory.url,
            created["id"].as_str().unwrap()
        ))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(client.get(&url).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert!(factory.terminate().success());
    let log = factory.log();
    assert!(
        log.contains("GET /api/calendar/{token}.ics 200"),
        "feeds are logged as templates:\n{log}"
    );
    assert!(log.contains("GET /api/calendar/{token}.ics 404"), "{log}");
    assert!(!log.contains(&token), "the feed token reached the log:\n{log}");
}

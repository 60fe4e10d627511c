//! Lists never truncate silently: `X-Total-Count` on every list, `Link: rel="next"` while more
//! remain, and the schedule read as a class (soonest first, with local instants).

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, TestApp, spawn_app};

async fn get(app: &TestApp, url: &str) -> (Vec<Value>, u64, Option<String>) {
    let res = app.client.get(url).bearer_auth(ADMIN_KEY).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{url}");
    let total = res.headers()["x-total-count"].to_str().unwrap().parse().unwrap();
    let next = res.headers().get("link").map(|l| {
        let l = l.to_str().unwrap();
        assert!(l.ends_with("; rel=\"next\""), "{l}");
        l.trim_start_matches('<').split('>').next().unwrap().to_owned()
    });
    (res.json().await.unwrap(), total, next)
}

/// A class of `n` vendors from one roster, each with chaos of the semester campaign scheduled.
pub async fn class_with_a_term(app: &TestApp, n: usize) {
    let ids: Vec<usize> = (0..n).collect();
    for chunk in ids.chunks(1000) {
        let roster: String = std::iter::once("id,name".to_owned())
            .chain(chunk.iter().map(|i| format!("t{i:04},Team {i}")))
            .collect::<Vec<_>>()
            .join("\n");
        let res = app
            .client
            .post(format!("{}/api/admin/vendors/import", app.url))
            .bearer_auth(ADMIN_KEY)
            .header("content-type", "text/csv")
            .body(roster)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let (status, applied) = app
        .admin(
            Method::POST,
            "/api/admin/scenarios/semester-campaign/apply",
            Some(json!({"vendors": "all", "seed": 7})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    assert_eq!(applied["incidents"].as_array().unwrap().len(), n);
}

#[tokio::test]
async fn a_term_of_2500_incidents_pages_through_link_headers_with_nothing_lost() {
    let app = spawn_app().await;
    class_with_a_term(&app, 2_500).await;
    let mut url = format!("{}/api/admin/incidents?state=scheduled&limit=1000", app.url);
    let (mut seen, mut pages) = (HashSet::new(), Vec::new());
    loop {
        let (items, total, next) = get(&app, &url).await;
        assert_eq!(total, 2_500);
        pages.push(items.len());
        for i in items {
            assert!(seen.insert(i["id"].as_str().unwrap().to_owned()), "an incident twice");
        }
        match next {
            Some(n) => url = n,
            None => break,
        }
    }
    assert_eq!((pages, seen.len()), (vec![1000, 1000, 500], 2_500));
    let (_, total, next) = get(&app, &format!("{}/api/admin/incidents?limit=1000&offset=2500", app.url)).await;
    assert_eq!((total, next), (2_500, None));
    let (vendors, total, _) = get(&app, &format!("{}/api/admin/vendors", app.url)).await;
    assert_eq!((vendors.len(), total), (2_501, 2_501));
}

#[tokio::test]
async fn the_schedule_reads_soonest_first_with_every_start_also_in_the_local_zone() {
    let app = spawn_app().await;
    class_with_a_term(&app, 40).await;
    let (items, total, next) = get(
        &app,
        &format!("{}/api/admin/incidents?state=scheduled&sort=startAt&limit=25", app.url),
    )
    .await;
    assert_eq!((items.len(), total), (25, 40));
    let next = next.expect("a second page");
    assert!(next.contains("sort=startAt") && next.contains("offset=25"), "{next}");
    let starts: Vec<&str> = items.iter().map(|i| i["startAt"].as_str().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "soonest first: {starts:?}");
    for i in &items {
        let utc: chrono::DateTime<chrono::Utc> = i["startAt"].as_str().unwrap().parse().unwrap();
        let local = i["startAtLocal"].as_str().unwrap();
        let parsed = chrono::DateTime::parse_from_rfc3339(local).unwrap();
        assert_eq!(parsed, utc, "{local} is the same instant");
        assert!(
            local.ends_with("-07:00") || local.ends_with("-06:00"),
            "Denver: {local}"
        );
    }
    let (rest, _, none) = get(&app, &next).await;
    assert_eq!((rest.len(), none), (15, None));
    let (status, body) = app.admin(Method::GET, "/api/admin/incidents?limit=1001", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app.admin(Method::GET, "/api/admin/incidents?sort=vibes", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

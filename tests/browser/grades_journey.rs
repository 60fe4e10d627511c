//! An instructor reads a class's grades in the console: the per-vendor totals and the graded
//! incidents, on a projector-sized window and at 360 px, with screenshots of the page and of
//! each table.

use std::time::Duration;

use fantoccini::Locator;
use reqwest::Method;
use serde_json::json;

use crate::driver::Browser;
use crate::helpers::{ADMIN_KEY, TestApp, spawn_with};

/// A few teams' incidents over an afternoon: (vendor, name, minutes to resolve, failed orders);
/// `None` is still active.
const CLASS: [(&str, &str, Option<i64>, usize); 6] = [
    ("team1", "Pizza Pi (team 1)", Some(25), 3),
    ("team2", "Slice of Life (team 2)", Some(100), 7),
    ("team3", "Crust Issues (team 3)", Some(190), 12),
    ("team1", "Pizza Pi (team 1)", Some(45), 2),
    ("team4", "Dough Nuts (team 4)", None, 4),
    ("team2", "Slice of Life (team 2)", Some(15), 1),
];

async fn seed(app: &TestApp) {
    let mut keys = std::collections::HashMap::new();
    for (id, name, resolve, failed) in CLASS {
        if !keys.contains_key(id) {
            let (_, body) = app
                .admin(
                    Method::POST,
                    "/api/admin/vendors",
                    Some(json!({"id": id, "name": name})),
                )
                .await;
            keys.insert(id, body["apiKey"].as_str().unwrap().to_owned());
        }
        app.chaos(id, json!({"mode": "fail", "start": "now"})).await;
        for _ in 0..failed {
            app.advance(30);
            app.order_json(&keys[id], &[0.0038, 0.011]).await;
        }
        if let Some(minutes) = resolve {
            app.advance(minutes * 60 - failed as i64 * 30);
            app.admin(Method::DELETE, &format!("/api/admin/vendors/{id}/chaos"), None)
                .await;
        }
    }
    app.advance(40 * 60);
}

async fn read_grades(app: &TestApp, browser: &Browser, size: &str) {
    let c = &browser.client;
    c.goto(&format!("{}/admin/grades", app.url)).await.unwrap();
    let heading = c.wait().for_element(Locator::Css("main h1")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "Grades");
    let tables = c.find_all(Locator::Css("table.grades tbody tr")).await.unwrap();
    assert_eq!(tables.len(), 4 + CLASS.len(), "four vendors' totals and each incident");
    browser.screenshot(&format!("grades-{size}")).await;
    for (section, name) in [("totals", "grades-totals"), ("graded", "grades-incidents")] {
        let script = format!("document.getElementById('{section}').scrollIntoView()");
        c.execute(&script, vec![]).await.unwrap();
        browser.screenshot(&format!("{name}-{size}")).await;
    }
}

#[tokio::test]
async fn an_instructor_reads_the_grades_on_a_projector_and_a_phone() {
    let Some(mut browser) = Browser::open(1400, 900).await else {
        return;
    };
    let app = spawn_with(|c| c.btc_usd = Some(96_619.10)).await;
    let run = async {
        seed(&app).await;
        let c = &browser.client;
        c.goto(&format!("{}/admin", app.url)).await.unwrap();
        let key = c.wait().for_element(Locator::Css("#key")).await.unwrap();
        key.send_keys(ADMIN_KEY).await.unwrap();
        c.find(Locator::Css("form[action='/admin/session'] button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("form[action='/admin/session/end']"))
            .await
            .unwrap();
        read_grades(&app, &browser, "1400").await;
        browser.resize(360, 740).await;
        read_grades(&app, &browser, "360").await;
    };
    tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the journey ends within 2 minutes");
    browser.close().await;
}

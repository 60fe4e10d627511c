//! A student opens the report URL from the logs in a browser, reads the page, presses Resolve.

use std::time::Duration;

use fantoccini::Locator;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::driver::Browser;
use crate::helpers::{TestApp, spawn_with};

/// How long a page may take to show what is waited for.
const WAIT: Duration = Duration::from_secs(15);

/// A vendor under `fail` chaos that has failed a few orders: its report URL and incident id.
async fn failing(app: &TestApp, id: &str) -> (String, String) {
    let (status, body) = app
        .admin(
            Method::POST,
            "/api/admin/vendors",
            Some(json!({"id": id, "name": "Pizza Pi (team 7)"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let key = body["apiKey"].as_str().unwrap().to_owned();
    let incident = app.chaos(id, json!({"mode": "fail", "start": "now"})).await;
    let mut url = String::new();
    for prices in [&[0.05, 0.0038][..], &[0.05], &[0.0038, 0.0038, 0.05]] {
        app.advance(97);
        let (status, body) = app.order_json(&key, prices).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
        url = body["reportUrl"].as_str().unwrap().to_owned();
    }
    (url, incident["id"].as_str().unwrap().to_owned())
}

async fn state(app: &TestApp, incident: &str) -> (Value, Value) {
    let i = app.incident(incident).await;
    (i["state"].clone(), i["resolvedBy"].clone())
}

/// Opens the link, checks it resolved nothing, presses Resolve, checks it resolved.
async fn journey(app: &TestApp, browser: &Browser, vendor: &str, shots: [&str; 2]) {
    let (url, incident) = failing(app, vendor).await;
    let c = &browser.client;
    c.goto(&url).await.unwrap();
    let title = c.wait().at_most(WAIT).for_element(Locator::Css("h1")).await.unwrap();
    assert_eq!(title.text().await.unwrap(), "Report a pizza outage");
    let page = c.source().await.unwrap();
    assert!(
        page.contains("Pizza Pi (team 7)") && page.contains("Chaos is active right now"),
        "{page}"
    );
    assert_eq!(
        state(app, &incident).await,
        (json!("active"), Value::Null),
        "opening resolves nothing"
    );
    browser.screenshot(shots[0]).await;

    app.advance(240);
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//h1[contains(., 'Problem resolved')]"))
        .await
        .unwrap();
    assert_eq!(
        done.text().await.unwrap(),
        "Problem resolved. Pizza is back on the menu!"
    );
    let page = c.source().await.unwrap();
    assert!(
        page.contains("8 minutes 51 seconds") && page.contains("0.1614 ₿"),
        "{page}"
    );
    assert_eq!(state(app, &incident).await, (json!("resolved"), json!("report")));
    browser.screenshot(shots[1]).await;
}

#[tokio::test]
async fn a_student_resolves_chaos_from_the_report_page_on_a_laptop_and_a_phone() {
    let Some(mut browser) = Browser::open(1024, 768).await else {
        return;
    };
    let app = spawn_with(|c| c.btc_usd = Some(96_619.10)).await;
    let run = async {
        journey(&app, &browser, "team7", ["student-page", "student-resolved"]).await;
        browser.resize(360, 740).await;
        journey(
            &app,
            &browser,
            "team7-phone",
            ["student-page-360", "student-resolved-360"],
        )
        .await;
    };
    tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the journey ends within 2 minutes");
    browser.close().await;
}

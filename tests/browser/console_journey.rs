//! An instructor runs one chaos from the console at /admin: signs in, creates a vendor, schedules
//! `fail` now, watches the incident live while the team's orders fail, and, once the student has
//! resolved it from the report page, reads the resolved incident with its orders chart. On a
//! projector-sized window and again at 360 px, with a screenshot of every console page.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use reqwest::StatusCode;

use crate::driver::Browser;
use crate::helpers::{ADMIN_KEY, TestApp, spawn_with};

/// How long a page may take to show what is waited for.
const WAIT: Duration = Duration::from_secs(15);

/// One pass of the journey: which vendor, and the suffix of its screenshots' names.
struct Pass {
    vendor: &'static str,
    name: &'static str,
    size: &'static str,
}

/// Waits for an element, then returns its visible text.
async fn text_of(c: &Client, css: &str) -> String {
    let el = c.wait().at_most(WAIT).for_element(Locator::Css(css)).await;
    let Ok(el) = el else {
        let page = c.source().await.unwrap_or_default();
        panic!("no `{css}` on {:?}: {page}", c.current_url().await);
    };
    el.text().await.unwrap()
}

/// Waits until the element's text contains `want`: after a form's answer arrives, or (without
/// reloading) after the page's own script has fetched its live figures, every 2 s.
async fn until_text(c: &Client, css: &str, want: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        // The element goes stale while a page is replaced: read it afresh each time.
        let text = match c.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(want) {
            return text;
        }
        assert!(Instant::now() < deadline, "`{css}` never showed {want:?}: {text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn click(c: &Client, css: &str) {
    let el = c.wait().at_most(WAIT).for_element(Locator::Css(css)).await;
    el.unwrap_or_else(|e| panic!("no `{css}` to click: {e}"))
        .click()
        .await
        .unwrap();
}

async fn fill(c: &Client, css: &str, value: &str) {
    let el = c.find(Locator::Css(css)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

/// Opens a console page and checks its heading.
async fn open(c: &Client, url: &str, heading: &str) {
    c.goto(url).await.unwrap();
    assert_eq!(text_of(c, "main h1").await, heading, "{url}");
}

/// An order as the vendor's own backend sends it, failed by the chaos: its report URL.
async fn failed_order(app: &TestApp, key: &str, prices: &[f64]) -> String {
    let (status, body) = app.order_json(key, prices).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    body["reportUrl"].as_str().expect("a report URL").to_owned()
}

async fn journey(app: &TestApp, browser: &Browser, pass: &Pass) {
    let c = &browser.client;
    let shot = |page: &str| format!("{page}-{}", pass.size);
    let admin = |path: &str| format!("{}/admin{path}", app.url);

    // Sign in through the form: the answer is the overview.
    c.goto(&admin("")).await.unwrap();
    assert_eq!(text_of(c, "main h1").await, "🍕 Pizza Factory console");
    browser.screenshot(&shot("sign-in")).await;
    fill(c, "#key", ADMIN_KEY).await;
    click(c, "form[action='/admin/session'] button[type=submit]").await;
    until_text(c, "main h1", "Overview").await;

    // Create the vendor: its key is on the answer, once.
    open(c, &admin("/vendors"), "Vendors").await;
    fill(c, "#id", pass.vendor).await;
    fill(c, "#name", pass.name).await;
    click(c, "form[method=post][action='/admin/vendors'] button[type=submit]").await;
    let created = format!("Vendor {} created", pass.vendor);
    until_text(c, "main h1", &created).await;
    let key = c.find(Locator::Css("input.key")).await.unwrap();
    let key = key.prop("value").await.unwrap().expect("the key in its box");
    assert!(key.len() >= 32, "{key}");
    browser.screenshot(&shot("vendor-created")).await;

    // Schedule `fail`, starting now.
    open(
        c,
        &admin(&format!("/vendors/{}", pass.vendor)),
        &format!("Vendor {}", pass.vendor),
    )
    .await;
    let mode = c.find(Locator::Css("#mode")).await.unwrap();
    mode.select_by_value("fail").await.unwrap();
    click(c, "input[name=start][value=now]").await;
    click(
        c,
        &format!(
            "form[action='/admin/vendors/{}/chaos'] button[type=submit]",
            pass.vendor
        ),
    )
    .await;
    let status = until_text(c, "p.status", "active since").await;
    assert!(status.contains("active since") && status.contains("fail"), "{status}");

    // The team's backend orders and fails; the 500 names the report URL.
    app.advance(30);
    let _ = failed_order(app, &key, &[0.05, 0.0038]).await;
    app.advance(70);
    let report = failed_order(app, &key, &[0.05]).await;
    c.refresh().await.unwrap();
    browser.screenshot(&shot("vendor")).await;

    // Every list shows it; the overview and the vendors table say it is active.
    open(c, &admin(""), "Overview").await;
    assert!(c.source().await.unwrap().contains(pass.vendor));
    browser.screenshot(&shot("overview")).await;
    open(c, &admin("/vendors"), "Vendors").await;
    browser.screenshot(&shot("vendors")).await;
    open(c, &admin("/scenarios"), "Scenarios").await;
    browser.screenshot(&shot("scenarios")).await;
    open(c, &admin("/incidents"), "Incidents").await;
    browser.screenshot(&shot("incidents")).await;

    // The incident page, reached from the vendor's history, counts failures as they happen.
    open(
        c,
        &admin(&format!("/vendors/{}", pass.vendor)),
        &format!("Vendor {}", pass.vendor),
    )
    .await;
    click(c, "table a[href^='/admin/incidents/']").await;
    until_text(c, "main h1", &format!("Incident: fail on {}", pass.vendor)).await;
    let incident = c.current_url().await.unwrap();
    let figures = until_text(c, ".figures", "active").await;
    assert!(figures.contains("2\nfailed orders"), "{figures}");
    app.advance(20);
    let _ = failed_order(app, &key, &[0.0038, 0.0038, 0.05]).await;
    let figures = until_text(c, ".figures", "3\nfailed orders").await;
    assert!(figures.contains("active") && figures.contains("elapsed"), "{figures}");
    browser.screenshot(&shot("incident")).await;

    // The student opens the report URL in the browser and presses Resolve.
    app.advance(120);
    c.goto(&report).await.unwrap();
    assert_eq!(text_of(c, "h1").await, "Report a pizza outage");
    click(c, "form button[type=submit]").await;
    until_text(c, "h1", "Problem resolved. Pizza is back on the menu!").await;

    // Back on the incident page: resolved, with its figures and the orders chart.
    app.advance(60);
    c.goto(incident.as_str()).await.unwrap();
    let figures = text_of(c, ".figures").await;
    assert!(
        figures.contains("resolved") && figures.contains("to resolve"),
        "{figures}"
    );
    assert!(figures.contains("4 minutes"), "{figures}");
    let chart = text_of(c, "#chart svg").await;
    assert!(chart.contains("Orders per minute"), "{chart}");
    let svg = c.find(Locator::Css("#chart svg")).await.unwrap();
    let svg = svg.html(false).await.unwrap();
    assert!(svg.contains("Orders per minute"), "{svg}");
    browser.screenshot(&shot("incident-resolved")).await;
    c.execute("document.getElementById('chart').scrollIntoView()", vec![])
        .await
        .unwrap();
    browser.screenshot(&shot("incident-chart")).await;

    // Sign out: the console asks for the key again.
    click(c, "form[action='/admin/session/end'] button").await;
    until_text(c, "main h1", "🍕 Pizza Factory console").await;
    c.goto(incident.as_str()).await.unwrap();
    assert!(c.find(Locator::Css("#key")).await.is_ok(), "signed out");
}

#[tokio::test]
async fn an_instructor_runs_chaos_from_the_console_on_a_projector_and_a_phone() {
    let Some(mut browser) = Browser::open(1400, 900).await else {
        return;
    };
    let app = spawn_with(|c| c.btc_usd = Some(96_619.10)).await;
    let run = async {
        let projector = Pass {
            vendor: "team7",
            name: "Pizza Pi (team 7)",
            size: "1400",
        };
        journey(&app, &browser, &projector).await;
        browser.resize(360, 740).await;
        let phone = Pass {
            vendor: "team8",
            name: "Slice of Life (team 8)",
            size: "360",
        };
        journey(&app, &browser, &phone).await;
    };
    tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the journey ends within 2 minutes");
    browser.close().await;
}

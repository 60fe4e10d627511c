//! The console's Grades page: the table and per-vendor totals, escaping, the default range, the
//! downloads, and the session it needs.

use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};

use crate::console::{Console, no_redirects};
use crate::grades::{end_chaos, start_chaos, vendor_named};
use crate::helpers::{ADMIN_KEY, spawn_app};

#[tokio::test]
async fn the_page_shows_each_incident_and_each_vendors_totals() {
    let app = spawn_app().await;
    vendor_named(&app, "a", "Team A").await;
    vendor_named(&app, "x1", "<script>alert(1)</script>").await;
    // a: 90 minutes (92.5), then 30 minutes (97.5): two incidents, mean 1 hour, mean score 95.0.
    start_chaos(&app, "a").await;
    app.advance(90 * 60);
    end_chaos(&app, "a").await;
    start_chaos(&app, "a").await;
    start_chaos(&app, "x1").await;
    app.advance(30 * 60);
    end_chaos(&app, "a").await;
    let console = Console::sign_in(&app).await;

    let (status, page) = console.get("/admin/grades").await;
    assert_eq!(status, StatusCode::OK);
    // The last 120 days up to today (1 December in Denver).
    assert!(page.contains(r#"name="from" type="date" value="2026-08-04""#), "{page}");
    assert!(page.contains(r#"name="to" type="date" value="2026-12-01""#));
    assert!(page.contains(r#"href="/admin/grades" aria-current="page""#));
    let totals = [
        r#"<td data-label="Incidents">2</td>"#,
        r#"<td data-label="Mean time to resolve">1 hour</td>"#,
        r#"<td data-label="Median time to resolve">1 hour</td>"#,
        r#"<td data-label="Lost revenue">0 ₿</td>"#,
        r#"<td data-label="Mean score" class="score">95.0</td>"#,
    ]
    .concat();
    assert!(page.contains(&totals), "{page}");
    // x1's chaos has been active 30 minutes.
    for score in ["92.5", "97.5"] {
        assert!(
            page.contains(&format!(r#"<td data-label="Score" class="score">{score}</td>"#)),
            "{score}: {page}"
        );
    }
    assert!(page.contains("still active"));
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "{page}");
    assert!(!page.contains("<script>alert(1)"));

    // The downloads are the API's answers for the same days.
    let query = "from=2026-08-04&to=2026-12-01";
    assert!(page.contains(&format!(r#"href="/admin/grades.csv?{}""#, query.replace('&', "&#38;"))));
    let res = console.get_res(&format!("/admin/grades.csv?{query}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[CONTENT_DISPOSITION],
        "attachment; filename=\"grades-2026-08-04-2026-12-01.csv\""
    );
    let from_page = res.text().await.unwrap();
    let from_api = app
        .call(
            Method::GET,
            &format!("/api/admin/grades.csv?{query}"),
            Some(ADMIN_KEY),
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(from_page, from_api);
    assert_eq!(from_page.lines().count(), 4);
    let res = console.get_res(&format!("/admin/reports.md?{query}")).await;
    assert_eq!(res.headers()[CONTENT_TYPE], "text/markdown; charset=utf-8");
    let archive = res.text().await.unwrap();
    assert_eq!(archive.matches("## Incident report:").count(), 3);
}

#[tokio::test]
async fn a_bad_range_is_shown_beside_its_field() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app).await;
    let (status, page) = console.get("/admin/grades?from=2026-12-05&to=2026-12-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("from 2026-12-05 is after to 2026-12-01"), "{page}");
    assert!(page.contains(r#"value="2026-12-05""#), "the values are kept");
    let res = console.get_res("/admin/grades.csv?from=2026-99-01").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn without_a_session_the_grades_pages_redirect_to_sign_in() {
    let app = spawn_app().await;
    let client = no_redirects();
    for path in ["/admin/grades", "/admin/grades.csv", "/admin/reports.md"] {
        let res = client.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.headers()[LOCATION], "/admin", "{path}");
        // An API key is not a session.
        let res = client
            .get(format!("{}{path}", app.url))
            .bearer_auth(ADMIN_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
    }
}

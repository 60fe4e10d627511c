//! The report URL: single-use fix codes, compat messages, the wrong-code limit, old links.

use std::net::{IpAddr, Ipv4Addr};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, fix_code, kinds, spawn_app};

async fn failing(app: &TestApp, vendor: &str) -> (String, String) {
    let key = app.create_vendor(vendor).await;
    app.chaos(vendor, json!({"mode": "fail", "start": "now"})).await;
    let (_, body) = app.order_json(&key, &[1.0]).await;
    (key, body["reportUrl"].as_str().unwrap().to_owned())
}

async fn get(client: &reqwest::Client, url: &str) -> (StatusCode, Value, Option<String>) {
    let res = client.get(url).send().await.unwrap();
    let retry = res.headers().get("retry-after").map(|h| h.to_str().unwrap().to_owned());
    (res.status(), res.json().await.unwrap(), retry)
}

#[tokio::test]
async fn the_right_code_resolves_once_and_the_next_order_is_served() {
    let app = spawn_app().await;
    let (key, url) = failing(&app, "v").await;
    let code = fix_code(&url);
    assert!(code.len() >= 32, "128 bits or more");
    assert!(!url.contains(&key), "the URL never holds an API key");
    let wrong = url.replace(&code, "0".repeat(32).as_str());
    let (status, body, _) = get(&app.client, &wrong).await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, json!({"message": "Problem unresolved"}))
    );
    assert_eq!(
        app.order(&key).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "a wrong code fixes nothing"
    );

    let res = app.client.post(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"message": "Problem resolved. Pizza is back on the menu!"})
    );
    let res = app.order(&key).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!res.headers().contains_key("x-chaos-report"));
    assert!(res.json::<Value>().await.unwrap().get("reportUrl").is_none());

    let (status, body, _) = get(&app.client, &url).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"message": "No chaos currently executing"})),
        "single use"
    );
    let (status, body, _) = get(&app.client, &format!("{}/api/support/nobody/report/{code}", app.url)).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"message": "No chaos currently executing"}))
    );

    // A fresh incident gets a fresh code; the old one does nothing. A second later, so the
    // listing's newest-first order does not hang on a tie.
    app.advance(1);
    app.chaos("v", json!({"mode": "fail", "start": "now"})).await;
    let (_, body) = app.order_json(&key, &[1.0]).await;
    let second = body["reportUrl"].as_str().unwrap();
    assert_ne!(fix_code(second), code);
    assert_eq!(get(&app.client, &url).await.1, json!({"message": "Problem unresolved"}));
    let (_, incidents) = app.admin(Method::GET, "/api/admin/incidents?vendor=v", None).await;
    assert!(!incidents.to_string().contains(&code) && !incidents.to_string().contains(&fix_code(second)));
    let resolved = &incidents.as_array().unwrap()[1];
    assert_eq!(
        (resolved["state"].clone(), resolved["resolvedBy"].clone()),
        (json!("resolved"), json!("report"))
    );
    assert!(kinds(resolved).contains(&"wrong_fix_code".to_owned()));
    assert_eq!(resolved["stats"]["wrongFixCodes"], 1);
}

#[tokio::test]
async fn old_links_with_an_api_key_still_resolve() {
    let app = spawn_app().await;
    let (key, url) = failing(&app, "v").await;
    let legacy = format!("{}/api/support/{key}/report/{}", app.url, fix_code(&url));
    let (status, body, _) = get(&app.client, &legacy).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::OK,
            json!({"message": "Problem resolved. Pizza is back on the menu!"})
        )
    );
    assert_eq!(app.order(&key).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn ten_wrong_codes_a_minute_lock_out_that_client_only() {
    let app = spawn_app().await;
    let (key, url) = failing(&app, "v").await;
    let (_, other_url) = failing(&app, "w").await;
    let attacker = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .build()
        .unwrap();
    let student = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)))
        .build()
        .unwrap();
    let wrong = format!("{}/api/support/v/report/{}", app.url, "f".repeat(32));
    for _ in 0..10 {
        assert_eq!(get(&attacker, &wrong).await.0, StatusCode::BAD_REQUEST);
    }
    let (status, body, retry) = get(&attacker, &url).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right code waits: {body}"
    );
    assert!(body["message"].is_string());
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(
        app.order(&key).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "still unresolved"
    );
    // Another vendor's URL from the same client is not limited.
    assert_eq!(get(&attacker, &other_url).await.0, StatusCode::OK);
    // The student, from another address, resolves at once.
    assert_eq!(
        get(&student, &url).await.1,
        json!({"message": "Problem resolved. Pizza is back on the menu!"})
    );
    app.advance(60);
    assert_eq!(
        get(&attacker, &wrong).await.1,
        json!({"message": "No chaos currently executing"})
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_students_are_told_apart_by_x_forwarded_for() {
    use pizza_factory::config::Blocks;
    use pizza_factory::http::client_ip::parse_blocks;
    let app = crate::helpers::spawn_with(|c| c.trusted_proxies = Blocks(parse_blocks("127.0.0.0/8").unwrap())).await;
    let (key, url) = failing(&app, "v").await;
    let wrong = format!("{}/api/support/v/report/{}", app.url, "f".repeat(32));
    let via = |client: &'static str, url: String| app.client.get(url).header("x-forwarded-for", client).send();
    for _ in 0..10 {
        assert_eq!(
            via("203.0.113.5", wrong.clone()).await.unwrap().status(),
            StatusCode::BAD_REQUEST
        );
    }
    assert_eq!(
        via("203.0.113.5", url.clone()).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let res = via("203.0.113.9", url.clone()).await.unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"message": "Problem resolved. Pizza is back on the menu!"})
    );
    assert_eq!(app.order(&key).await.status(), StatusCode::OK);

    // Without trust, the header is ignored: a client cannot dodge its limit by inventing one.
    let app = spawn_app().await;
    let (_, url) = failing(&app, "v").await;
    let wrong = format!("{}/api/support/v/report/{}", app.url, "f".repeat(32));
    for i in 0..10 {
        let res = app
            .client
            .get(&wrong)
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let res = app
        .client
        .get(&url)
        .header("x-forwarded-for", "198.51.100.77")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

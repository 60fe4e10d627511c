//! The Errors and Operations sections: JSON errors everywhere, CORS, docs, health.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, spawn_app};
use pizza_factory::routes::catalog::ENDPOINTS;

#[tokio::test]
async fn framework_failures_are_json_with_precise_statuses() {
    let app = spawn_app().await;
    let key = app.create_vendor("v1").await;
    let (status, body) = app.json(Method::GET, "/no/such/route", None, None).await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, json!({"message": "unknown endpoint"}))
    );
    let (status, body) = app.json(Method::DELETE, "/api/order", Some(&key), None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(body["message"].is_string());
    // RFC 9110: a 405 names the methods the path does allow.
    for (method, path, allow) in [
        (Method::DELETE, "/api/order", "POST"),
        (Method::TRACE, "/readyz", "GET"),
        (Method::PUT, "/api/admin/vendors/v1", "GET, PATCH, DELETE"),
        (Method::GET, "/api/support/v1/report/abc", "GET, POST"),
    ] {
        let res = app.call(method.clone(), path, Some(&key), None).await;
        if method == Method::GET {
            assert_ne!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
            continue;
        }
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(res.headers()["allow"], allow, "{method} {path}");
    }

    let post = |body: &'static str, ctype: &'static str| {
        app.client
            .post(format!("{}/api/order", app.url))
            .bearer_auth(&key)
            .header("content-type", ctype)
            .body(body)
            .send()
    };
    let res = post("{\"diner\":", "application/json").await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.json::<Value>().await.unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("JSON")
    );
    let res = post("diner=1", "application/x-www-form-urlencoded").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(res.json::<Value>().await.unwrap()["message"].is_string());

    let huge = json!({"diner": {"pad": "x".repeat(70_000)}, "order": {"items": [{"price": 1}]}});
    for path in ["/api/order", "/api/order/verify", "/api/admin/vendors"] {
        let res = app.call(Method::POST, path, Some(ADMIN_KEY), Some(huge.clone())).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert!(res.json::<Value>().await.unwrap()["message"].is_string());
    }
    let (status, body) = app.admin(Method::GET, "/api/admin/incidents?limit=abc", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("query"));
    // Still serving after all of that.
    assert_eq!(app.order(&key).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn cors_echoes_the_origin_with_credentials_and_answers_preflights() {
    let app = spawn_app().await;
    let origin = "https://pizza.students.example";
    let res = app
        .client
        .request(Method::OPTIONS, format!("{}/api/order/verify", app.url))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type, authorization")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], origin);
    assert_eq!(h["access-control-allow-credentials"], "true");
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        assert!(h["access-control-allow-methods"].to_str().unwrap().contains(m));
    }
    let allowed = h["access-control-allow-headers"].to_str().unwrap().to_lowercase();
    assert!(allowed.contains("content-type") && allowed.contains("authorization"));

    for (method, path) in [
        (Method::POST, "/api/order/verify"),
        (Method::GET, "/api/docs"),
        (Method::GET, "/nope"),
    ] {
        let res = app
            .client
            .request(method, format!("{}{path}", app.url))
            .header("origin", origin)
            .bearer_auth("the-web-page-session-token")
            .json(&json!({"jwt": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["access-control-allow-origin"], origin, "{path}");
        assert_eq!(res.headers()["access-control-allow-credentials"], "true");
        assert_ne!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{path} ignores the Authorization header"
        );
    }
}

#[tokio::test]
async fn docs_list_every_route_and_every_listed_route_is_served() {
    let app = spawn_app().await;
    let (status, docs) = app.json(Method::GET, "/api/docs", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(docs["message"].is_string() && docs["version"].is_string());
    let endpoints = docs["endpoints"].as_array().unwrap();
    assert_eq!(endpoints.len(), ENDPOINTS.len());
    for ep in endpoints {
        for field in ["method", "path", "requiresAuth", "description", "example", "response"] {
            assert!(ep.get(field).is_some(), "{field} missing in {ep}");
        }
        let path = ep["path"]
            .as_str()
            .unwrap()
            .replace("{id}", "x")
            .replace("{mode}", "fail")
            .replace("{vendor}", "x")
            .replace("{code}", "x");
        let method = Method::from_bytes(ep["method"].as_str().unwrap().as_bytes()).unwrap();
        if path.ends_with("/events/stream") {
            // A stream never ends: the start of its answer is enough.
            let res = app.call(method, &path, Some(ADMIN_KEY), None).await;
            assert_eq!(res.status(), StatusCode::OK, "{ep}");
            continue;
        }
        let (status, body) = app.json(method, &path, Some(ADMIN_KEY), Some(json!({}))).await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{ep}");
        assert_ne!(
            body,
            json!({"message": "unknown endpoint"}),
            "{ep} is documented but not served"
        );
    }
    let documented: Vec<&str> = endpoints.iter().map(|e| e["path"].as_str().unwrap()).collect();
    for path in [
        "/api/order",
        "/api/order/verify",
        "/.well-known/jwks.json",
        "/api/admin/keys/rotate",
        "/api/admin/chaos/halt",
        "/healthz",
        "/readyz",
    ] {
        assert!(documented.contains(&path), "{path} undocumented");
    }
}

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    assert_eq!(
        app.json(Method::GET, "/healthz", None, None).await,
        (StatusCode::OK, json!({"status": "ok"}))
    );
    assert_eq!(
        app.json(Method::GET, "/readyz", None, None).await,
        (StatusCode::OK, json!({"status": "ready"}))
    );
}

#[tokio::test]
async fn openapi_describes_every_route_with_its_bodies_and_errors() {
    let app = spawn_app().await;
    let (status, doc) = app.json(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|c| c.starts_with('2')),
                "{method} {path} has a success response"
            );
            assert!(
                responses.keys().any(|c| c.starts_with('4')),
                "{method} {path} documents its errors"
            );
            let placeholders = path.matches('{').count();
            let params = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["in"] == "path")
                .count();
            assert_eq!(params, placeholders, "{method} {path} path parameters");
        }
    }
    assert_eq!(operations, ENDPOINTS.len());
    let text = doc.to_string();
    assert!(
        !text.contains(r#""items":true"#) && !text.contains(r#""schema":true"#),
        "OpenAPI 3.0 has no boolean schemas"
    );
    let create = &doc["paths"]["/api/admin/vendors"]["post"];
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/NewVendor"
    );
    let new_vendor = &doc["components"]["schemas"]["NewVendor"];
    assert_eq!(
        new_vendor["additionalProperties"], false,
        "unknown fields are refused, and documented so"
    );
    assert!(new_vendor["required"].as_array().unwrap().contains(&json!("id")));
    let incident = &doc["components"]["schemas"]["Incident"]["properties"];
    for field in ["vendorId", "startedAt", "resolvedBy", "stats", "timeline"] {
        assert!(incident.get(field).is_some(), "Incident.{field}");
    }
    assert!(incident.get("fixCode").is_none());
    let list = &doc["paths"]["/api/admin/incidents"]["get"]["parameters"];
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["includeVoided", "limit", "offset", "sort", "state", "vendor"]
    );
}

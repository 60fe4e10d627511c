//! Vendors and admin: CRUD, key rotation, roles, and who may call what.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, spawn_app};
use pizza_factory::routes::catalog::ENDPOINTS;

#[tokio::test]
async fn admin_manages_vendors_end_to_end() {
    let app = spawn_app().await;
    let (status, created) = app
        .admin(
            Method::POST,
            "/api/admin/vendors",
            Some(
                json!({"id": "team-7", "name": "Team 7", "email": "t7@byu.edu", "gitHubUrl": "https://github.com/t7"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let key = created["apiKey"].as_str().unwrap().to_owned();
    assert!(key.len() >= 43, "256-bit key, base64url");
    assert_eq!(created["roles"], json!(["vendor"]));
    assert_eq!(created["chaos"], Value::Null);

    let (status, me) = app.json(Method::GET, "/api/vendor", Some(&key), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["chaos"], json!({"type": "none"}));
    assert_eq!(me["email"], "t7@byu.edu");
    assert!(me.get("apiKey").is_none() && !me.to_string().contains(&key));
    for field in [
        "id",
        "name",
        "email",
        "website",
        "gitHubUrl",
        "created",
        "roles",
        "chaos",
    ] {
        assert!(me.get(field).is_some(), "{field} missing from {me}");
    }

    let (_, list) = app.admin(Method::GET, "/api/admin/vendors", None).await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["admin", "team-7"]);
    assert!(!list.to_string().contains(&key));

    let (status, patched) = app
        .admin(
            Method::PATCH,
            "/api/admin/vendors/team-7",
            Some(json!({"name": "Team Seven", "email": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(
        (patched["name"].clone(), patched["email"].clone()),
        (json!("Team Seven"), Value::Null)
    );
    assert_eq!(patched["gitHubUrl"], "https://github.com/t7");

    let (status, rotated) = app.admin(Method::POST, "/api/admin/vendors/team-7/apikey", None).await;
    assert_eq!(status, StatusCode::OK);
    let new_key = rotated["apiKey"].as_str().unwrap();
    assert_eq!(app.order(&key).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.order(new_key).await.status(), StatusCode::OK);

    assert_eq!(
        app.admin(Method::DELETE, "/api/admin/vendors/team-7", None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.order(new_key).await.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = app.admin(Method::GET, "/api/admin/vendors/team-7", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["message"].as_str().unwrap().contains("team-7"));
    let app = app.restart().await;
    assert_eq!(
        app.admin(Method::GET, "/api/admin/vendors/team-7", None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.order(new_key).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn vendor_input_is_checked_precisely() {
    let app = spawn_app().await;
    app.create_vendor("dup").await;
    let cases = [
        (
            json!({"id": "dup", "name": "again"}),
            StatusCode::CONFLICT,
            "already exists",
        ),
        (json!({"id": "a b", "name": "x"}), StatusCode::BAD_REQUEST, "id must be"),
        (
            json!({"id": "x".repeat(65), "name": "x"}),
            StatusCode::BAD_REQUEST,
            "id must be",
        ),
        (
            json!({"id": "ok", "name": "  "}),
            StatusCode::BAD_REQUEST,
            "name must not be empty",
        ),
        (json!({"id": "ok"}), StatusCode::BAD_REQUEST, "name"),
        (
            json!({"id": "ok", "name": "x", "apiKey": "mine"}),
            StatusCode::BAD_REQUEST,
            "unknown field",
        ),
        (
            json!({"id": "ok", "name": "x", "roles": ["root"]}),
            StatusCode::BAD_REQUEST,
            "unknown role",
        ),
    ];
    for (body, status, text) in cases {
        let (got, msg) = app.admin(Method::POST, "/api/admin/vendors", Some(body.clone())).await;
        assert_eq!(got, status, "{body} -> {msg}");
        assert!(msg["message"].as_str().unwrap().contains(text), "{body} -> {msg}");
    }
    let (status, _) = app
        .admin(Method::PATCH, "/api/admin/vendors/dup", Some(json!({"bogus": 1})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .admin(Method::PATCH, "/api/admin/vendors/nobody", Some(json!({"name": "x"})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.admin(Method::DELETE, "/api/admin/vendors/admin", None).await.0,
        StatusCode::CONFLICT
    );
    let (status, _) = app
        .admin(
            Method::PATCH,
            "/api/admin/vendors/admin",
            Some(json!({"roles": ["vendor"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_vendor_made_admin_can_administer() {
    let app = spawn_app().await;
    let (_, created) = app
        .admin(
            Method::POST,
            "/api/admin/vendors",
            Some(json!({"id": "ta", "name": "TA", "roles": ["admin"]})),
        )
        .await;
    assert_eq!(created["roles"], json!(["vendor", "admin"]));
    let key = created["apiKey"].as_str().unwrap();
    assert_eq!(
        app.json(Method::GET, "/api/admin/vendors", Some(key), None).await.0,
        StatusCode::OK
    );
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "v1")
        .replace("{mode}", "fail")
        .replace("{vendor}", "v1")
        .replace("{code}", "x")
}

#[tokio::test]
async fn non_admins_are_refused_on_every_admin_route() {
    let app = spawn_app().await;
    let key = app.create_vendor("v1").await;
    let admin_routes: Vec<_> = ENDPOINTS.iter().filter(|e| e.path.starts_with("/api/admin")).collect();
    assert!(admin_routes.len() >= 12);
    for ep in admin_routes {
        let method = Method::from_bytes(ep.method.as_bytes()).unwrap();
        let path = concrete(ep.path);
        let body = Some(json!({"mode": "fail", "reason": "x", "id": "zz", "name": "zz"}));
        let (status, msg) = app.json(method.clone(), &path, Some(&key), body.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{} {path}: {msg}", ep.method);
        let (status, msg) = app.json(method.clone(), &path, None, body.clone()).await;
        assert_eq!(
            (status, msg),
            (StatusCode::UNAUTHORIZED, json!({"message": "invalid authentication"}))
        );
        let (status, _) = app.json(method, &path, Some("not-a-key"), body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Nothing changed: the vendor still exists with its key, and no chaos was scheduled.
    assert_eq!(app.order(&key).await.status(), StatusCode::OK);
    let (_, v) = app.admin(Method::GET, "/api/admin/vendors/v1", None).await;
    assert_eq!(v["chaos"], Value::Null);
    let (_, all) = app.admin(Method::GET, "/api/admin/vendors", None).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn configured_admin_key_is_added_on_a_later_start() {
    let app = spawn_app().await;
    let second = "second-admin-key-abcdefabcdefabcdefabcdef";
    assert_eq!(
        app.json(Method::GET, "/api/admin/vendors", Some(second), None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let app = app.restart_with(|c| c.admin_key = Some(second.into())).await;
    assert_eq!(
        app.json(Method::GET, "/api/admin/vendors", Some(second), None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.json(Method::GET, "/api/admin/vendors", Some(ADMIN_KEY), None)
            .await
            .0,
        StatusCode::OK
    );
}

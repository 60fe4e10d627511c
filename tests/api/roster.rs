//! Roster import: a class from one CSV or JSON list, each bad row with its reason, and the
//! hand-out of keys an instructor mails to the teams.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, TestApp, spawn_app};

async fn import(app: &TestApp, content_type: &str, accept: &str, body: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/admin/vendors/import", app.url))
        .bearer_auth(ADMIN_KEY)
        .header("content-type", content_type)
        .header("accept", accept)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

fn reasons(answer: &Value) -> Vec<(u64, String)> {
    answer["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["reason"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn a_csv_roster_creates_every_good_row_and_says_why_each_other_was_refused() {
    let app = spawn_app().await;
    app.create_vendor("team9").await;
    let csv = "id,name,email\n\
               team1,Team 1,t1@example.edu\n\
               team2,\"Team 2, the second\",\n\
               team1,Team 1 again,\n\
               team9,Already here,\n\
               bad id,Spaces,\n\
               team3,,\n";
    let res = import(&app, "text/csv", "application/json", csv).await;
    assert_eq!(res.status(), StatusCode::OK);
    let answer: Value = res.json().await.unwrap();
    let created: Vec<&str> = answer["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(created, ["team1", "team2"]);
    assert_eq!(answer["created"][1]["name"], "Team 2, the second");
    assert!(answer["created"][1]["email"].is_null(), "an empty cell is no e-mail");
    let rejected = reasons(&answer);
    assert_eq!(rejected.iter().map(|r| r.0).collect::<Vec<_>>(), [4, 5, 6, 7]);
    assert!(rejected[0].1.contains("appears earlier in this list"), "{rejected:?}");
    assert!(rejected[1].1.contains("team9 already exists"), "{rejected:?}");
    assert!(rejected[2].1.contains("id"), "{rejected:?}");
    assert!(rejected[3].1.contains("name"), "{rejected:?}");

    let key = answer["created"][0]["apiKey"].as_str().unwrap();
    assert_eq!(app.order(key).await.status(), StatusCode::OK, "the hand-out key works");
    let (_, vendors) = app.admin(Method::GET, "/api/admin/vendors", None).await;
    assert_eq!(
        vendors.as_array().unwrap().len(),
        4,
        "admin, team9, team1, team2: {vendors}"
    );
}

#[tokio::test]
async fn a_json_roster_is_checked_row_by_row() {
    let app = spawn_app().await;
    let list = json!([
        {"id": "a1", "name": "A 1", "gitHubUrl": "https://github.com/a1"},
        {"id": "a2", "name": "A 2", "colour": "red"},
        {"name": "no id"},
        {"id": "a3", "name": "A 3", "roles": ["vendor"]}
    ]);
    let res = import(&app, "application/json", "application/json", &list.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["created"].as_array().unwrap().len(), 2);
    let rejected = reasons(&answer);
    assert_eq!(rejected.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 3]);
    assert!(rejected[0].1.contains("colour"), "{rejected:?}");
    assert!(rejected[1].1.contains("id"), "{rejected:?}");
}

#[tokio::test]
async fn the_hand_out_is_a_spreadsheet_safe_csv_of_ids_names_keys_and_the_factory_url() {
    let app = spawn_app().await;
    let csv = "id,name\nteam1,=HYPERLINK(\"http://evil\")\nteam2,Team 2\nteam2,Twice\n";
    let res = import(&app, "text/csv; charset=utf-8", "text/csv", csv).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert_eq!(res.headers()["x-rejected-count"], "1");
    let text = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap(), vec!["id", "name", "apiKey", "factoryUrl"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][1], "'=HYPERLINK(\"http://evil\")", "a formula stays text");
    assert_eq!(&rows[1][3], app.url.as_str());
    assert_eq!(app.order(&rows[1][2]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_roster_that_is_not_a_list_is_refused_whole_and_only_admins_may_import() {
    let app = spawn_app().await;
    let cases = [
        (
            "text/plain",
            "id,name\nx,y\n",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type",
        ),
        (
            "text/csv",
            "id,name,shoe\nx,y,z\n",
            StatusCode::BAD_REQUEST,
            "unknown column \"shoe\"",
        ),
        (
            "text/csv",
            "name\ny\n",
            StatusCode::BAD_REQUEST,
            "id and name are required",
        ),
        (
            "application/json",
            "{\"id\":\"x\"}",
            StatusCode::BAD_REQUEST,
            "JSON list",
        ),
    ];
    for (content_type, body, status, says) in cases {
        let res = import(&app, content_type, "application/json", body).await;
        assert_eq!(res.status(), status, "{content_type} {body}");
        let answer: Value = res.json().await.unwrap();
        assert!(answer["message"].as_str().unwrap().contains(says), "{answer}");
    }
    let key = app.create_vendor("team1").await;
    let res = app
        .client
        .post(format!("{}/api/admin/vendors/import", app.url))
        .bearer_auth(&key)
        .header("content-type", "text/csv")
        .body("id,name\nx,y\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, vendors) = app.admin(Method::GET, "/api/admin/vendors", None).await;
    assert_eq!(vendors.as_array().unwrap().len(), 2, "nothing was created: {vendors}");
}

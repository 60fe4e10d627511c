//! The monitoring pack (deploy/): every metric its alert rules and dashboard query is one that a
//! running factory really serves, so renaming a metric fails here rather than leaving a
//! department's dashboard blank and its alerts silent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_with};

const TOKEN: &str = "scrape-token-for-the-monitoring-pack";

/// PromQL words that look like metric names, and `up`, which Prometheus makes itself. Functions
/// are told apart by the `(` after them.
const NOT_METRICS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "inf",
    "nan",
    "up",
];

/// What names no metric: string literals, label matchers, ranges, grouping label lists and
/// Grafana's variables.
static NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\{[^}]*\}|\[[^\]]*\]|\$\{?\w+\}?|\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#,
    )
    .unwrap()
});
/// A metric identifier, with the `(` that makes it a function call instead.
static IDENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?").unwrap());

fn metric_names(expr: &str) -> BTreeSet<String> {
    let cleaned = NOISE.replace_all(expr, " ");
    IDENT
        .captures_iter(&cleaned)
        .filter(|c| c.get(2).is_none())
        .map(|c| c[1].to_owned())
        .filter(|name| !NOT_METRICS.contains(&name.to_ascii_lowercase().as_str()))
        .collect()
}

/// Every `expr` string anywhere in a document (rules: groups[].rules[]; dashboards: targets).
fn exprs(doc: &Value, out: &mut Vec<String>) {
    match doc {
        Value::Object(map) => {
            for (key, value) in map {
                match value {
                    Value::String(expr) if key == "expr" => out.push(expr.clone()),
                    _ => exprs(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| exprs(item, out)),
        _ => {}
    }
}

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut found: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        // The promtool unit tests feed made-up series; they are not queries of a live factory.
        .filter(|p| p.extension().is_some_and(|e| e == ext) && !p.to_string_lossy().ends_with("_test.yml"))
        .collect();
    found.sort();
    found
}

/// (file, metric) for every metric the rules and dashboards query.
fn queried_metrics() -> Vec<(String, String)> {
    let mut docs: Vec<(PathBuf, Value)> = Vec::new();
    for path in files("deploy/prometheus/rules", "yml") {
        let text = std::fs::read_to_string(&path).unwrap();
        docs.push((path, serde_norway::from_str(&text).unwrap()));
    }
    for path in files("deploy/grafana/dashboards", "json") {
        let text = std::fs::read_to_string(&path).unwrap();
        docs.push((path, serde_json::from_str(&text).unwrap()));
    }
    let mut queried = Vec::new();
    for (path, doc) in docs {
        let mut found = Vec::new();
        exprs(&doc, &mut found);
        assert!(!found.is_empty(), "{} has no expr", path.display());
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for expr in found {
            queried.extend(metric_names(&expr).into_iter().map(|m| (file.clone(), m)));
        }
    }
    queried
}

#[test]
fn metric_names_come_out_of_promql_without_functions_labels_or_ranges() {
    let expr = r#"histogram_quantile(0.95, sum by (le, op) (rate(factory_store_operation_duration_seconds_bucket{op="load", x=~"a|b"}[$__rate_interval])))
        / on (instance) group_left max without (job) (factory_throttle_cap offset 5m) > 4 * 3600 and up == 0 or vector(1e3)"#;
    assert_eq!(
        metric_names(expr).into_iter().collect::<Vec<_>>(),
        [
            "factory_store_operation_duration_seconds_bucket",
            "factory_throttle_cap"
        ]
    );
}

async fn scrape(app: &TestApp) -> String {
    let res = app.call(Method::GET, "/metrics", Some(TOKEN), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no series {series} in\n{text}"))
}

#[tokio::test]
async fn every_metric_the_rules_and_dashboards_query_is_served() {
    let app = spawn_with(|c| {
        c.metrics_token = Some(TOKEN.into());
        c.max_throttled_total = 1234;
        c.webhook_allow_private = true;
    })
    .await;
    // A webhook told of the chaos below: the delivery counters exist once one is attempted.
    let receiver = crate::receiver::Receiver::start(&[]).await;
    crate::receiver::register(&app, json!({"url": receiver.url})).await;
    // One chaos that answers an order and is resolved, and one plain order: every labelled
    // series (created on first use) then exists.
    let key = app.create_vendor("monitored").await;
    app.chaos("monitored", json!({"mode": "fail", "start": "now"})).await;
    let (status, body) = app.order_json(&key, &[1.0]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    app.advance(90);
    // What ChaosActiveTooLong and ThrottleNearCap compare.
    let during = scrape(&app).await;
    assert_eq!(value(&during, "factory_chaos_oldest_active_seconds"), 90.0);
    assert_eq!(value(&during, "factory_throttle_cap"), 1234.0);
    let fixed = app
        .client
        .get(body["reportUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(fixed.status(), StatusCode::OK);
    assert_eq!(app.order(&key).await.status(), StatusCode::OK);

    receiver.wait_for(1).await;
    // The counter moves just after the receiver answers: a few scrapes at most.
    let mut text = scrape(&app).await;
    for _ in 0..250 {
        if text.contains("factory_webhook_deliveries_total{") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        text = scrape(&app).await;
    }
    assert_eq!(value(&text, "factory_chaos_oldest_active_seconds"), 0.0);
    let served: BTreeSet<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split(['{', ' ']).next().unwrap())
        .collect();

    let queried = queried_metrics();
    let names: BTreeSet<_> = queried.iter().map(|(_, m)| m.as_str()).collect();
    // The rules and the dashboard between them watch orders, chaos, resolution, latency,
    // the scheduler, the store and the throttle: a parse that finds few names is broken.
    assert!(names.len() >= 12, "too few metric names found: {names:?}");
    let missing: Vec<_> = queried.iter().filter(|(_, m)| !served.contains(m.as_str())).collect();
    assert!(
        missing.is_empty(),
        "queried but not served: {missing:?}\nserved: {served:?}"
    );
}

//! The factory a drill talks to, over HTTP: admin calls, and orders sent as a vendor would.

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::scenario::Item;
use crate::scenario::expect::OrderSeen;

/// A factory the drill talks to.
pub(super) struct Target {
    pub(super) client: reqwest::Client,
    pub(super) url: String,
    pub(super) admin_key: String,
}

impl Target {
    pub(super) async fn call(
        &self,
        method: Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), String> {
        let mut req = self
            .client
            .request(method.clone(), format!("{}{path}", self.url))
            .bearer_auth(key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.map_err(|e| format!("{method} {path}: {e}"))?;
        let status = res.status();
        let text = res.text().await.map_err(|e| format!("{method} {path}: {e}"))?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    pub(super) async fn admin(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        want: StatusCode,
    ) -> Result<Value, String> {
        let (status, value) = self.call(method.clone(), path, &self.admin_key, body).await?;
        if status != want {
            return Err(format!("{method} {path} answered {status}: {value}"));
        }
        Ok(value)
    }
}

pub(super) fn order_body(items: &[Item], n: usize) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|i| json!({"menuId": i.menu_id, "description": i.description, "price": i.price}))
        .collect();
    json!({"diner": {"id": 719, "name": "drill", "email": "drill@jwt.com"},
           "order": {"items": items, "storeId": "1", "franchiseId": 1, "id": n}})
}

pub(super) async fn send_order(
    request: reqwest::RequestBuilder,
    client: &reqwest::Client,
    verify_url: Option<String>,
    clock: Arc<dyn Clock>,
    vendor: String,
) -> OrderSeen {
    let sent = clock.now();
    let mut seen = OrderSeen {
        vendor,
        ..OrderSeen::default()
    };
    let Ok(res) = request.send().await else { return seen };
    seen.waited_secs = Some((clock.now() - sent).num_milliseconds() as f64 / 1000.0);
    seen.status = Some(res.status().as_u16());
    seen.retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    let body: Value = res.json().await.unwrap_or_default();
    seen.report_url = body["reportUrl"].as_str().map(str::to_owned);
    if let (Some(url), Some(jwt)) = (verify_url, body["jwt"].as_str()) {
        let verdict = client.post(url).json(&json!({ "jwt": jwt })).send().await;
        seen.verified = verdict.ok().map(|r| r.status() == StatusCode::OK);
    }
    seen
}

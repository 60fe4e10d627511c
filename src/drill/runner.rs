//! One drill run: vendors, chaos and orders over HTTP, step by step in time, then what it saw.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::outcome::DrillOutcome;
use super::target::{Target, order_body, send_order};
use super::timebase::Timebase;
use crate::random::{Draws, secure_bytes};
use crate::scenario::expect::{Observed, OrderSeen};
use crate::scenario::{Item, PlannedStart, Resolution, Scenario, StartSpec};

enum Step {
    Start,
    Order {
        vendor: usize,
        items: Vec<Item>,
        verify: bool,
    },
    Report {
        vendor: usize,
    },
    AdminEnd {
        vendor: usize,
    },
}

pub(super) async fn run(
    scenario: &Scenario,
    seed: u64,
    target: &Target,
    time: &Timebase,
    live: bool,
) -> Result<DrillOutcome, String> {
    let draws = Draws::seeded(seed);
    let mut notes = Vec::new();
    // Vendors: live drills get ids of their own so they never touch a real vendor.
    let mut vendors = Vec::new();
    for id in &scenario.vendors {
        let id = if live {
            let tag: String = secure_bytes::<3>().iter().map(|b| format!("{b:02x}")).collect();
            format!("{}-drill-{tag}", &id.as_str()[..id.as_str().len().min(50)])
        } else {
            id.as_str().to_owned()
        };
        let created = target
            .admin(
                Method::POST,
                "/api/admin/vendors",
                Some(json!({"id": id, "name": format!("Drill {id}")})),
                StatusCode::CREATED,
            )
            .await?;
        let key = created["apiKey"]
            .as_str()
            .ok_or("vendor creation returned no apiKey")?
            .to_owned();
        vendors.push((id, key));
    }
    // Chaos for each vendor, each with its own draw.
    let mut incidents = Vec::new();
    let mut steps: Vec<(DateTime<Utc>, Step)> = Vec::new();
    for (i, (id, _)) in vendors.iter().enumerate() {
        let mut plan = scenario.chaos.plan(time.now(), &draws)?;
        if live && !matches!(scenario.chaos.start, StartSpec::Offset(_)) {
            plan.start = PlannedStart::At(time.now() + Duration::seconds(5));
            notes.push(format!(
                "live drill: chaos for {id} starts in 5s instead of at the scenario's instant or window"
            ));
        }
        let mut body = json!({"mode": plan.mode, "params": plan.params, "maxDurationSecs": plan.max_duration_secs});
        if live {
            // Flagged, so a class's incident list and grades leave the drill out.
            body["drill"] = json!(true);
        }
        match plan.start {
            PlannedStart::At(t) => body["start"] = json!(t.to_rfc3339()),
            PlannedStart::Window(w) => {
                body["window"] = json!({"from": w.from.format("%H:%M:%S").to_string(), "to": w.to.format("%H:%M:%S").to_string(),
                                        "tz": w.tz.name(), "date": w.date.to_string()})
            }
        }
        let incident = target
            .admin(
                Method::POST,
                &format!("/api/admin/vendors/{id}/chaos"),
                Some(body),
                StatusCode::CREATED,
            )
            .await?;
        let start: DateTime<Utc> = incident["startAt"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or("incident without startAt")?;
        notes.push(format!(
            "{} chaos for vendor {id} starts at {}",
            plan.mode,
            start.to_rfc3339()
        ));
        incidents.push(incident["id"].as_str().unwrap_or_default().to_owned());
        steps.push((start, Step::Start));
        for o in &scenario.orders {
            if o.vendors.iter().any(|v| v.as_str() == scenario.vendors[i].as_str()) {
                for at in &o.offsets {
                    steps.push((
                        start + *at,
                        Step::Order {
                            vendor: i,
                            items: o.items.clone(),
                            verify: o.verify,
                        },
                    ));
                }
            }
        }
        match scenario.resolve {
            Resolution::Report(d) => steps.push((start + d, Step::Report { vendor: i })),
            Resolution::Admin(d) => steps.push((start + d, Step::AdminEnd { vendor: i })),
            Resolution::Never => {
                if let Some(max) = plan.max_duration_secs {
                    steps.push((start + Duration::seconds(max as i64), Step::Start));
                }
            }
        }
    }
    steps.sort_by_key(|(at, _)| *at);

    let seen: Arc<Mutex<Vec<OrderSeen>>> = match time {
        Timebase::Live { seen, .. } => seen.clone(),
        Timebase::Virtual { .. } => Arc::default(),
    };
    let mut inflight = JoinSet::new();
    let mut sent = 0;
    for (at, step) in steps {
        time.advance_to(at.max(time.now()), &mut inflight).await;
        match step {
            Step::Start => {}
            Step::Order { vendor, items, verify } => {
                sent += 1;
                let before = time.sleeps_started();
                let request = target
                    .client
                    .post(format!("{}/api/order", target.url))
                    .bearer_auth(&vendors[vendor].1)
                    .json(&order_body(&items, sent));
                let verify_url = format!("{}/api/order/verify", target.url);
                let (client, clock, seen, name) = (
                    target.client.clone(),
                    time.clock(),
                    seen.clone(),
                    vendors[vendor].0.clone(),
                );
                inflight.spawn(async move {
                    let order = send_order(request, &client, verify.then_some(verify_url), clock, name).await;
                    seen.lock().expect("orders lock").push(order);
                });
                time.sent(&mut inflight, before).await;
            }
            Step::Report { vendor } => {
                let (id, _) = &vendors[vendor];
                let url = seen
                    .lock()
                    .expect("orders lock")
                    .iter()
                    .rev()
                    .find(|o| &o.vendor == id && o.report_url.is_some())
                    .and_then(|o| o.report_url.clone());
                match url {
                    Some(url) => {
                        let res = target
                            .client
                            .get(&url)
                            .send()
                            .await
                            .map_err(|e| format!("report URL: {e}"))?;
                        let body: Value = res.json().await.unwrap_or_default();
                        notes.push(format!("report URL of {id} called: {}", body["message"]));
                    }
                    None => notes.push(format!(
                        "no answer to {id} carried a report URL, so nobody could call it"
                    )),
                }
            }
            Step::AdminEnd { vendor } => {
                let path = format!("/api/admin/vendors/{}/chaos", vendors[vendor].0);
                let (status, _) = target.call(Method::DELETE, &path, &target.admin_key, None).await?;
                notes.push(format!("admin ended the chaos of {}: {status}", vendors[vendor].0));
            }
        }
    }
    time.drain(&mut inflight).await;

    let mut observed = Observed {
        orders: std::mem::take(&mut *seen.lock().expect("orders lock")),
        ..Observed::default()
    };
    for id in &incidents {
        observed.incidents.push(
            target
                .admin(Method::GET, &format!("/api/admin/incidents/{id}"), None, StatusCode::OK)
                .await?,
        );
        let (_, report) = target
            .call(
                Method::GET,
                &format!("/api/admin/incidents/{id}/report"),
                &target.admin_key,
                None,
            )
            .await?;
        observed.reports.push(report.as_str().unwrap_or_default().to_owned());
    }
    if live {
        for (id, _) in &vendors {
            target
                .admin(
                    Method::DELETE,
                    &format!("/api/admin/vendors/{id}"),
                    None,
                    StatusCode::NO_CONTENT,
                )
                .await?;
        }
    }
    let verdicts = scenario.expect.iter().map(|e| e.check(&observed)).collect();
    Ok(DrillOutcome {
        seed,
        notes,
        observed,
        verdicts,
    })
}

//! Incident lists: one page of what a filter matches, and how many match in all.

use std::collections::HashMap;

use tokio_postgres::GenericClient;

use super::classify;
use super::incidents::{COLUMNS, good_incidents, state_names};
use crate::domain::{Incident, TimelineEvent};
use crate::store::{IncidentFilter, StoreResult, from_ms, to_ms};

/// The WHERE clause of every incident list: parameters $1 to $7 are `matching_args`.
const MATCHING: &str = "WHERE (cardinality($1::text[]) = 0 OR state = ANY($1)) \
     AND ($2::text IS NULL OR vendor_id = $2) AND ($3::text IS NULL OR vendor_uid = $3) \
     AND ($4 OR (voided_at IS NULL AND NOT drill)) AND ($5::text IS NULL OR mode = $5) \
     AND ($6::bigint IS NULL OR started_at >= $6) AND ($7::bigint IS NULL OR started_at < $7)";

type Matching<'a> = (
    Vec<&'static str>,
    Option<&'a str>,
    Option<String>,
    bool,
    Option<&'static str>,
    Option<i64>,
    Option<i64>,
);

fn matching_args(filter: &IncidentFilter) -> Matching<'_> {
    (
        state_names(&filter.states),
        filter.vendor.as_ref().map(|v| v.as_str()),
        filter.vendor_uid.map(|u| u.to_string()),
        filter.include_voided,
        filter.mode.map(|m| m.as_str()),
        filter.started.map(|(from, _)| to_ms(from)),
        filter.started.map(|(_, to)| to_ms(to)),
    )
}

pub(super) async fn list(c: &impl GenericClient, filter: &IncidentFilter) -> StoreResult<Vec<Incident>> {
    let (states, vendor, uid, voided, mode, from, to) = matching_args(filter);
    let order = if filter.by_start {
        "start_at ASC, seq ASC"
    } else {
        "initiated_at DESC, seq DESC"
    };
    let rows = c
        .query(
            &format!("SELECT {COLUMNS} FROM incidents {MATCHING} ORDER BY {order} LIMIT $8 OFFSET $9"),
            &[
                &states,
                &vendor,
                &uid,
                &voided,
                &mode,
                &from,
                &to,
                &(filter.limit as i64),
                &(filter.offset as i64),
            ],
        )
        .await
        .map_err(classify)?;
    let mut found: Vec<Incident> = good_incidents(&rows).into_iter().map(|(i, _)| i).collect();
    if filter.summaries {
        return Ok(found);
    }
    // One round trip for the whole page's timelines, not one per incident.
    let ids: Vec<String> = found.iter().map(|i| i.id.to_string()).collect();
    let mut minutes = super::minutes::of(c, &ids).await?;
    let events = c
        .query(
            "SELECT incident_id, at, kind, detail FROM incident_events WHERE incident_id = ANY($1) ORDER BY at, seq",
            &[&ids],
        )
        .await
        .map_err(classify)?;
    let mut timelines: HashMap<String, Vec<TimelineEvent>> = HashMap::new();
    for r in &events {
        timelines.entry(r.get(0)).or_default().push(TimelineEvent {
            at: from_ms(r.get(1)),
            kind: r.get(2),
            detail: r.get(3),
        });
    }
    for incident in &mut found {
        let id = incident.id.to_string();
        incident.timeline = timelines.remove(&id).unwrap_or_default();
        incident.minutes = minutes.remove(&id).unwrap_or_default();
    }
    Ok(found)
}

pub(super) async fn count(c: &impl GenericClient, filter: &IncidentFilter) -> StoreResult<u64> {
    let (states, vendor, uid, voided, mode, from, to) = matching_args(filter);
    let row = c
        .query_one(
            &format!("SELECT COUNT(*) FROM incidents {MATCHING}"),
            &[&states, &vendor, &uid, &voided, &mode, &from, &to],
        )
        .await
        .map_err(classify)?;
    Ok(row.get::<_, i64>(0).max(0) as u64)
}

//! The chart's markers: labelled vertical lines at the instants of an incident's story.

use std::fmt::Write;

use chrono::{DateTime, Duration, Utc};

use super::{BOTTOM, WIDTH, esc};
use crate::domain::{Incident, IncidentState};

/// Baselines of the rows of marker labels, nearest the plot first.
const LABEL_ROWS: [f64; 3] = [98.0, 84.0, 70.0];
const LABEL_SIZE: f64 = 12.0;

/// What happened at a marked instant; each kind has its own line, so they differ without colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerKind {
    Start,
    FirstFailure,
    WrongFixCode,
    Resolution,
}

/// A labelled vertical line at an instant.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub at: DateTime<Utc>,
    pub kind: MarkerKind,
    pub label: String,
}

/// An estimate of a label's width: no one measures text on the server.
fn width_of(label: &str) -> f64 {
    label.chars().count() as f64 * LABEL_SIZE * 0.58
}

/// Markers of one kind close enough for their labels to collide, under one label (`wrong code ×3`).
struct Group<'a> {
    kind: MarkerKind,
    label: &'a str,
    xs: Vec<f64>,
}

impl Group<'_> {
    fn text(&self) -> String {
        match self.xs.len() {
            1 => self.label.to_owned(),
            n => format!("{} ×{n}", self.label),
        }
    }
}

/// Draws the markers within `[start, end]`, in time order; each label goes to the lowest row
/// where it does not touch the one before.
pub(super) fn draw(
    svg: &mut String,
    markers: &[Marker],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    x: &dyn Fn(DateTime<Utc>) -> f64,
) {
    let mut sorted: Vec<&Marker> = markers.iter().filter(|m| m.at >= start && m.at <= end).collect();
    sorted.sort_by_key(|m| m.at);
    let mut groups: Vec<Group<'_>> = Vec::new();
    for m in sorted {
        let mx = x(m.at);
        match groups.last_mut() {
            Some(g) if g.kind == m.kind && g.label == m.label && mx - g.xs[0] < width_of(&g.text()) + 4.0 => {
                g.xs.push(mx)
            }
            _ => groups.push(Group {
                kind: m.kind,
                label: &m.label,
                xs: vec![mx],
            }),
        }
    }
    let mut row_ends = [f64::MIN; LABEL_ROWS.len()];
    let mut placed: Vec<Placed> = Vec::new();
    for g in groups {
        let text = g.text();
        let middle = g.xs.iter().sum::<f64>() / g.xs.len() as f64;
        let lx = left_of(middle, &text);
        let row = match (0..LABEL_ROWS.len()).find(|r| row_ends[*r] + 4.0 < lx) {
            Some(row) => {
                placed.push(Placed { row, lx, text });
                row
            }
            // Every row is taken here: the label joins the one placed last, the nearest before.
            None => {
                let last = placed.last_mut().expect("a row was free for the first label");
                last.text = format!("{}, {text}", last.text);
                last.lx = last.lx.min(WIDTH - 2.0 - width_of(&last.text)).max(2.0);
                last.row
            }
        };
        if let Some(last) = placed.last() {
            row_ends[last.row] = last.lx + width_of(&last.text);
        }
        let (stroke, dash) = line_of(g.kind);
        for mx in &g.xs {
            let _ = write!(
                svg,
                r##"<line class="marker" x1="{mx:.1}" x2="{mx:.1}" y1="{y1}" y2="{BOTTOM}" stroke="#111" stroke-width="{stroke}" stroke-dasharray="{dash}"/>"##,
                y1 = LABEL_ROWS[row] + 3.0,
            );
        }
    }
    // Labels after every line, so a label's white halo keeps it readable over any line.
    for p in placed {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{}" font-size="{LABEL_SIZE}" fill="#111" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
            p.lx,
            LABEL_ROWS[p.row],
            esc(&p.text),
        );
    }
}

/// A label in its row, from `lx`.
struct Placed {
    row: usize,
    lx: f64,
    text: String,
}

/// Where a label centred on `x` starts, kept inside the chart as far as it fits.
fn left_of(x: f64, text: &str) -> f64 {
    (x - width_of(text) / 2.0).min(WIDTH - 2.0 - width_of(text)).max(2.0)
}

/// The line of each kind of marker: width and dashes.
fn line_of(kind: MarkerKind) -> (&'static str, &'static str) {
    match kind {
        MarkerKind::Start => ("2", "none"),
        MarkerKind::FirstFailure => ("2", "6 3"),
        MarkerKind::WrongFixCode => ("1.5", "2 3"),
        MarkerKind::Resolution => ("3", "none"),
    }
}

/// The markers of an incident: its start, first failure, each wrong fix code and its end.
pub fn incident_markers(incident: &Incident) -> Vec<Marker> {
    let marker = |at, kind, label: &str| Marker {
        at,
        kind,
        label: label.to_owned(),
    };
    let mut markers = Vec::new();
    if let Some(at) = incident.started_at {
        markers.push(marker(at, MarkerKind::Start, "start"));
    }
    if let Some(at) = incident.first_failure_at {
        markers.push(marker(at, MarkerKind::FirstFailure, "first failure"));
    }
    for e in incident.timeline.iter().filter(|e| e.kind == "wrong_fix_code") {
        markers.push(marker(e.at, MarkerKind::WrongFixCode, "wrong code"));
    }
    if let Some(at) = incident.resolved_at {
        let label = match incident.state {
            IncidentState::Expired => "expired",
            _ => "resolved",
        };
        markers.push(marker(at, MarkerKind::Resolution, label));
    }
    markers
}

/// The window an incident's chart shows: from 5 minutes before its start to 5 minutes after its
/// end, or to `now` while it runs; `None` before it has started.
pub fn incident_window(incident: &Incident, now: DateTime<Utc>) -> Option<super::Window> {
    let margin = Duration::minutes(5);
    let started = incident.started_at?;
    let end = incident.resolved_at.map_or(now, |at| at + margin);
    Some((started - margin, end.max(started)))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::{ChaosMode, ChaosParams, ResolvedBy, Stats, TimelineEvent, VendorId};

    #[test]
    fn an_incident_is_marked_from_its_record_and_framed_five_minutes_either_side() {
        let t = |m: i64| Utc.with_ymd_and_hms(2026, 12, 1, 19, 0, 0).unwrap() + Duration::minutes(m);
        let mut incident = Incident {
            id: uuid::Uuid::nil(),
            vendor_id: VendorId::parse("v").unwrap(),
            vendor_uid: None,
            mode: ChaosMode::Fail,
            params: ChaosParams::default(),
            state: IncidentState::Scheduled,
            initiated_by: "admin".into(),
            initiated_at: t(-60),
            start_at: t(0),
            start_at_local: None,
            started_at: None,
            first_failure_at: None,
            resolved_at: None,
            resolved_by: None,
            max_duration_secs: None,
            stats: Stats::default(),
            timeline: vec![TimelineEvent::new(t(3), "wrong_fix_code", "a wrong fix code was tried")],
            minutes: Vec::new(),
            voided: None,
            drill: false,
        };
        assert_eq!(incident_window(&incident, t(1)), None, "not started: nothing to draw");
        incident.state = IncidentState::Active;
        incident.started_at = Some(t(0));
        assert_eq!(
            incident_window(&incident, t(2)),
            Some((t(-5), t(2))),
            "running: up to now"
        );
        (incident.state, incident.resolved_at) = (IncidentState::Expired, Some(t(10)));
        incident.resolved_by = Some(ResolvedBy::Expiry);
        incident.first_failure_at = Some(t(1));
        assert_eq!(incident_window(&incident, t(30)), Some((t(-5), t(15))));
        let marked: Vec<(DateTime<Utc>, MarkerKind, String)> = incident_markers(&incident)
            .into_iter()
            .map(|m| (m.at, m.kind, m.label))
            .collect();
        assert_eq!(
            marked,
            [
                (t(0), MarkerKind::Start, "start".to_owned()),
                (t(1), MarkerKind::FirstFailure, "first failure".to_owned()),
                (t(3), MarkerKind::WrongFixCode, "wrong code".to_owned()),
                (t(10), MarkerKind::Resolution, "expired".to_owned()),
            ]
        );
    }
}

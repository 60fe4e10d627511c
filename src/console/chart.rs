//! The orders chart of an incident: served and failed orders per minute as an SVG element, drawn
//! on the server from numbers alone (a pure function, tested on its own).
//!
//! Only SVG presentation attributes, no `style`: the console's Content-Security-Policy allows no
//! inline styles. Served bars are solid, failed ones hatched and named in the legend, so colour
//! is never the only difference. Sizes are in viewBox units: the chart scales to its container.

mod markers;
mod scale;

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::domain::Minute;
pub use markers::{Marker, MarkerKind, incident_markers, incident_window};

pub(super) const WIDTH: f64 = 440.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 40.0;
// Room on the right for half of the last time label ("12:10", centred on the axis's end).
const RIGHT: f64 = 420.0;
const TOP: f64 = 104.0;
pub(super) const BOTTOM: f64 = 280.0;
const SERVED: &str = "#1f6fb2";
const FAILED: &str = "#d9480f";

/// Text made safe for XML: control characters (which XML 1.0 cannot carry even escaped) become
/// spaces, then askama's HTML escaper, the one the console's templates use, does the rest.
pub(super) fn esc(text: &str) -> String {
    let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let Ok(safe) = askama::filters::escape(clean, askama::filters::Html);
    safe.to_string()
}

/// From when to when a chart shows orders.
pub type Window = (DateTime<Utc>, DateTime<Utc>);

/// One bar: the orders of `minutes` minutes from `at`.
#[derive(Default)]
struct Bar {
    served: u64,
    failed: u64,
    by_status: BTreeMap<u16, u64>,
}

/// The chart of `minutes` over `window` (the caller's: 5 minutes before the start to 5 after
/// the end), with `markers`, times in `tz`. Minutes without orders are drawn as zero.
pub fn orders_chart(minutes: &[Minute], window: Window, markers: &[Marker], tz: Tz) -> String {
    let (from, to) = (window.0, window.1.max(window.0 + Duration::minutes(1)));
    let bar = scale::bar_minutes((to - from).num_minutes() + 1);
    let start = scale::bar_start(from, bar);
    let count = (to - start).num_minutes() / bar + 1;
    let end = start + Duration::minutes(count * bar);
    let mut bars: Vec<Bar> = (0..count).map(|_| Bar::default()).collect();
    for m in minutes.iter().filter(|m| m.at >= start && m.at < end) {
        let b = &mut bars[((m.at - start).num_minutes() / bar) as usize];
        b.served = b.served.saturating_add(m.served);
        b.failed = b.failed.saturating_add(m.failed);
        for (status, n) in &m.by_status {
            let e = b.by_status.entry(*status).or_default();
            *e = e.saturating_add(*n);
        }
    }
    let x = |t: DateTime<Utc>| {
        LEFT + (t - start).num_milliseconds() as f64 / (end - start).num_milliseconds() as f64 * (RIGHT - LEFT)
    };
    let served: u64 = bars.iter().map(|b| b.served).sum();
    let failed: u64 = bars.iter().map(|b| b.failed).sum();
    let per = match bar {
        1 => "minute".to_owned(),
        60 => "hour".to_owned(),
        1440 => "day".to_owned(),
        b if b % 60 == 0 => format!("{} hours", b / 60),
        b => format!("{b} minutes"),
    };
    let clock = |t: DateTime<Utc>| {
        let spans_days = end - start > Duration::hours(24);
        t.with_timezone(&tz)
            .format(if spans_days { "%a %H:%M" } else { "%H:%M" })
            .to_string()
    };
    let summary = format!(
        "Orders per {per} from {} to {} ({}): {served} served, {failed} failed{}",
        clock(from),
        clock(to),
        tz.name(),
        markers
            .iter()
            .map(|m| format!(", {} {}", m.label, clock(m.at)))
            .collect::<String>()
    );

    let mut svg = String::with_capacity(8 * 1024);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="orders-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-label="{s}" font-family="system-ui, sans-serif"><title>{s}</title><defs><pattern id="orders-chart-failed" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="{FAILED}"/><rect width="2" height="6" fill="#fff"/></pattern></defs><rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/><text x="8" y="24" font-size="18" font-weight="bold" fill="#111">Orders per {per}</text>"##,
        s = esc(&summary)
    );
    legend(&mut svg, served, failed);
    let step = scale::count_step(
        bars.iter()
            .map(|b| b.served.saturating_add(b.failed))
            .max()
            .unwrap_or(0),
    );
    let y = |n: u64| BOTTOM - n as f64 / (step * 4) as f64 * (BOTTOM - TOP);
    for i in 0..=4u64 {
        let n = step.saturating_mul(i);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{RIGHT}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ccc"/><text x="{lx}" y="{ty:.1}" font-size="12" text-anchor="end" fill="#333">{n}</text>"##,
            yy = y(n),
            lx = LEFT - 4.0,
            ty = y(n) + 4.0,
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let at = start + Duration::minutes(i as i64 * bar);
        let (x0, x1) = (x(at), x(at + Duration::minutes(bar)));
        let gap = if x1 - x0 > 4.0 { (x1 - x0) * 0.15 } else { 0.0 };
        let statuses: String = b.by_status.iter().map(|(s, n)| format!(", {n}× {s}")).collect();
        let total = b.served.saturating_add(b.failed);
        let _ = write!(
            svg,
            r#"<g><title>{}</title><rect class="served" x="{bx:.1}" y="{ys:.1}" width="{w:.1}" height="{hs:.1}" fill="{SERVED}"/><rect class="failed" x="{bx:.1}" y="{yf:.1}" width="{w:.1}" height="{hf:.1}" fill="url(#orders-chart-failed)" stroke="{FAILED}" stroke-width="{sw}"/></g>"#,
            esc(&format!(
                "{}: {} served, {} failed{statuses}",
                clock(at),
                b.served,
                b.failed
            )),
            bx = x0 + gap / 2.0,
            w = x1 - x0 - gap,
            ys = y(b.served),
            hs = BOTTOM - y(b.served),
            yf = y(total),
            hf = y(b.served) - y(total),
            sw = if b.failed > 0 { "1" } else { "0" },
        );
    }
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" x2="{RIGHT}" y1="{BOTTOM}" y2="{BOTTOM}" stroke="#111" stroke-width="1.5"/>"##
    );
    for t in scale::time_ticks(start, end, tz) {
        let _ = write!(
            svg,
            r##"<line x1="{tx:.1}" x2="{tx:.1}" y1="{BOTTOM}" y2="{ty}" stroke="#111"/><text x="{tx:.1}" y="{ly}" font-size="12" text-anchor="middle" fill="#333">{}</text>"##,
            esc(&clock(t)),
            tx = x(t),
            ty = BOTTOM + 5.0,
            ly = BOTTOM + 18.0,
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{RIGHT}" y="{}" font-size="11" text-anchor="end" fill="#555">time in {}</text>"##,
        HEIGHT - 6.0,
        esc(tz.name())
    );
    if served == 0 && failed == 0 {
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="14" text-anchor="middle" fill="#555">no orders in this window</text>"##,
            (LEFT + RIGHT) / 2.0,
            (TOP + BOTTOM) / 2.0
        );
    }
    markers::draw(&mut svg, markers, start, end, &x);
    svg.push_str("</svg>");
    svg
}

fn legend(svg: &mut String, served: u64, failed: u64) {
    let _ = write!(
        svg,
        r##"<rect x="8" y="36" width="14" height="14" fill="{SERVED}"/><text x="27" y="48" font-size="13" fill="#111">served {served}</text><rect x="140" y="36" width="14" height="14" fill="url(#orders-chart-failed)" stroke="{FAILED}"/><text x="159" y="48" font-size="13" fill="#111">failed {failed}</text>"##
    );
}

#[cfg(test)]
mod tests;

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
mod tests {
    use chrono::TimeZone;

    use super::*;

    const DENVER: Tz = chrono_tz::America::Denver;

    fn at(m: i64, s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 19, 0, 0).unwrap() + Duration::minutes(m) + Duration::seconds(s)
    }

    fn minute(m: i64, served: u64, failed: u64) -> Minute {
        Minute {
            at: at(m, 0),
            served,
            failed,
            by_status: if failed > 0 {
                BTreeMap::from([(500, failed)])
            } else {
                BTreeMap::new()
            },
        }
    }

    /// A 12-minute incident, 5 minutes either side; orders every minute but 3 and 4.
    fn sample() -> (Vec<Minute>, Window, Vec<Marker>) {
        let mut minutes: Vec<Minute> = (-5..=16)
            .filter(|m| *m != 3 && *m != 4)
            .map(|m| minute(m, 20, 0))
            .collect();
        for (m, served, failed) in [(0, 12, 8), (1, 2, 18), (2, 0, 20), (5, 0, 24), (6, 1, 19), (7, 0, 20)] {
            minutes.retain(|x| x.at != at(m, 0));
            minutes.push(minute(m, served, failed));
        }
        minutes.sort_by_key(|m| m.at);
        let marker = |at, kind, label: &str| Marker {
            at,
            kind,
            label: label.into(),
        };
        let markers = vec![
            marker(at(0, 0), MarkerKind::Start, "start"),
            marker(at(0, 12), MarkerKind::FirstFailure, "first failure"),
            marker(at(6, 30), MarkerKind::WrongFixCode, "wrong code"),
            marker(at(7, 10), MarkerKind::WrongFixCode, "wrong code"),
            marker(at(11, 40), MarkerKind::Resolution, "resolved"),
        ];
        (minutes, (at(-5, 0), at(16, 40)), markers)
    }

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).expect("the chart is well-formed XML")
    }

    /// The (served, failed) bar heights, in order.
    fn heights(doc: &roxmltree::Document<'_>) -> Vec<(f64, f64)> {
        let of = |class: &str| -> Vec<f64> {
            doc.descendants()
                .filter(|n| n.attribute("class") == Some(class))
                .map(|n| n.attribute("height").unwrap().parse().unwrap())
                .collect()
        };
        of("served").into_iter().zip(of("failed")).collect()
    }

    #[test]
    fn the_chart_is_an_accessible_svg_that_scales() {
        let (minutes, window, markers) = sample();
        let svg = orders_chart(&minutes, window, &markers, DENVER);
        let doc = parse(&svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("viewBox"), Some("0 0 440 320"));
        assert_eq!(root.attribute("width"), Some("100%"), "no fixed pixel width");
        assert_eq!(root.attribute("role"), Some("img"));
        let label = root.attribute("aria-label").unwrap();
        assert!(label.starts_with("Orders per minute from 11:55 to 12:16 (America/Denver): 295 served, 109 failed"));
        assert!(label.contains("resolved 12:11"), "{label}");
        let title = root.children().find(|n| n.has_tag_name("title")).unwrap();
        assert_eq!(title.text(), Some(label));
        assert!(!svg.contains("style"), "no inline style: the console's CSP forbids it");
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        for expected in [
            "served 295",
            "failed 109",
            "11:55",
            "12:00",
            "12:15",
            "time in America/Denver",
        ] {
            assert!(texts.contains(&expected), "{expected} in {texts:?}");
        }
    }

    #[test]
    fn bars_are_proportional_and_empty_minutes_are_zero() {
        let (minutes, window, markers) = sample();
        let svg = orders_chart(&minutes, window, &markers, DENVER);
        let doc = parse(&svg);
        let bars = heights(&doc);
        assert_eq!(bars.len(), 22, "one bar a minute from 11:55 to 12:16");
        // The axis goes to 40 over 176 units: 4.4 a order.
        assert_eq!(bars[0], (88.0, 0.0), "20 served");
        assert_eq!(bars[5], (52.8, 35.2), "12 served, 8 failed at 12:00");
        assert_eq!(bars[10], (0.0, 105.6), "24 failed at 12:05");
        assert_eq!(
            (bars[8], bars[9]),
            ((0.0, 0.0), (0.0, 0.0)),
            "no orders at 12:03 and 12:04"
        );
        let only_empty = orders_chart(&[], window, &[], DENVER);
        let doc = parse(&only_empty);
        assert!(heights(&doc).iter().all(|b| *b == (0.0, 0.0)));
        assert!(only_empty.contains("no orders in this window"));
    }

    #[test]
    fn markers_stand_at_their_instant_with_their_label() {
        let (minutes, window, markers) = sample();
        let svg = orders_chart(&minutes, window, &markers, DENVER);
        let doc = parse(&svg);
        let xs: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("marker"))
            .map(|n| n.attribute("x1").unwrap())
            .collect();
        // 22 minutes over 380 units from x = 40: 12:00 is 5 minutes in (86.4 further), 12:11:40
        // is 16 2/3 (287.9 further).
        assert_eq!(xs, ["126.4", "129.8", "238.6", "250.2", "327.9"]);
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        for label in ["start", "first failure", "wrong code ×2", "resolved"] {
            assert!(texts.contains(&label), "{label} in {texts:?}");
        }
    }

    #[test]
    fn labels_from_data_are_escaped() {
        let hostile = "</text><script>alert(1)</script>&amp; \"' \u{0}";
        let marker = Marker {
            at: at(1, 0),
            kind: MarkerKind::Start,
            label: hostile.into(),
        };
        let long = Marker {
            label: "x".repeat(500),
            ..marker.clone()
        };
        let svg = orders_chart(&[minute(1, 1, 1)], (at(-5, 0), at(6, 0)), &[marker, long], DENVER);
        let doc = parse(&svg);
        assert!(doc.descendants().all(|n| !n.has_tag_name("script")));
        let shown = hostile.replace('\u{0}', " ");
        assert!(doc.descendants().any(|n| n.text() == Some(shown.as_str())), "{svg}");
        assert!(doc.root_element().attribute("aria-label").unwrap().contains(&shown));
    }

    #[test]
    fn a_long_incident_gets_wider_bars() {
        let minutes: Vec<Minute> = (0..3 * 24 * 60).step_by(7).map(|m| minute(m, 1, 1)).collect();
        let svg = orders_chart(&minutes, (at(-5, 0), at(3 * 24 * 60, 0)), &[], DENVER);
        let doc = parse(&svg);
        let bars = heights(&doc);
        assert!(bars.len() <= 90 && bars.len() >= 30, "{}", bars.len());
        assert!(svg.contains("Orders per hour"));
    }

    #[test]
    #[ignore = "writes /tmp/orders-chart*.svg to look at"]
    fn draw_the_sample() {
        let (minutes, window, markers) = sample();
        std::fs::write(
            "/tmp/orders-chart.svg",
            orders_chart(&minutes, window, &markers, DENVER),
        )
        .unwrap();
        let long: Vec<Minute> = (0..3 * 24 * 60)
            .step_by(7)
            .map(|m| minute(m, m as u64 % 9, 2))
            .collect();
        let svg = orders_chart(&long, (at(-5, 0), at(3 * 24 * 60, 0)), &markers, DENVER);
        std::fs::write("/tmp/orders-chart-long.svg", svg).unwrap();
    }
}

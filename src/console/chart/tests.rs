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

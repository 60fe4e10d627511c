use chrono::TimeZone;

use super::*;

fn row() -> Grade {
    Grade {
        vendor_id: VendorId::parse("team7").unwrap(),
        vendor_name: None,
        incident_id: Uuid::nil(),
        mode: ChaosMode::Fail,
        started_at: Utc.with_ymd_and_hms(2026, 12, 1, 19, 0, 0).unwrap(),
        resolved_at: None,
        resolved_by: None,
        seconds_to_resolve: None,
        orders_failed: 3,
        lost_revenue: 0.0114,
        score: 85.0,
    }
}

#[test]
fn the_csv_columns_are_the_json_names_in_order() {
    let text = serde_json::to_string(&row()).unwrap();
    let at: Vec<usize> = COLUMNS
        .iter()
        .map(|c| text.find(&format!("\"{c}\":")).unwrap_or_else(|| panic!("{c} missing")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
    let json = serde_json::to_value(row()).unwrap();
    assert_eq!(json.as_object().unwrap().len(), COLUMNS.len());
}

#[test]
fn cells_are_the_json_values_and_null_is_empty() {
    assert_eq!(
        row().cells(),
        [
            "team7",
            "",
            "00000000-0000-0000-0000-000000000000",
            "fail",
            "2026-12-01T19:00:00.000Z",
            "",
            "",
            "",
            "3",
            "0.0114",
            "85.0"
        ]
    );
}

use chrono::TimeZone;
use chrono_tz::America::Denver;

use super::*;

fn winter() -> Blackout {
    Blackout::new(
        Denver,
        &parse_list("FACTORY_BLACKOUT", "2026-12-21..2027-01-04, 2027-03-16").unwrap(),
    )
}

fn denver(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Denver.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().to_utc()
}

#[test]
fn lists_parse_dates_and_ranges_and_errors_name_the_entry() {
    assert_eq!(winter().describe(), "2026-12-21..2027-01-04, 2027-03-16");
    assert!(parse_list("FACTORY_BLACKOUT", "").unwrap().is_empty());
    let err = parse_list("FACTORY_BLACKOUT", "2026-12-21,2026-13-01").unwrap_err();
    assert_eq!(
        err,
        "FACTORY_BLACKOUT: \"2026-13-01\" is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD"
    );
    let err = parse_list("FACTORY_BLACKOUT", "2027-01-04..2026-12-21").unwrap_err();
    assert!(err.ends_with("ends before it starts"), "{err}");
    assert!(
        parse_list("x", "2026-01-01..2027-06-01")
            .unwrap_err()
            .contains("longer than 366 days")
    );
}

#[test]
fn an_instant_is_on_a_blackout_date_in_the_blackouts_zone() {
    let b = winter();
    assert_eq!(
        b.check(denver(2026, 12, 24, 10)).unwrap_err(),
        "2026-12-24 is a blackout date (2026-12-21..2027-01-04)"
    );
    // 23:00 in Denver on the 20th is already the 21st in UTC: the zone decides.
    assert!(b.check(denver(2026, 12, 20, 23)).is_ok());
    assert!(b.check(denver(2027, 1, 5, 0)).is_ok());
    assert_eq!(
        b.check(denver(2027, 3, 16, 9)).unwrap_err(),
        "2027-03-16 is a blackout date (2027-03-16)"
    );
}

#[test]
fn next_open_keeps_the_wall_clock_time_on_the_first_open_day() {
    let b = winter();
    let at = denver(2026, 12, 24, 10);
    assert_eq!(b.next_open(at, Denver), denver(2027, 1, 5, 10));
    let open = denver(2026, 12, 2, 9);
    assert_eq!(b.next_open(open, Denver), open);
    // Back to back ranges are passed in one go.
    let joined = b.and(&Blackout::new(
        Denver,
        &parse_list("x", "2027-01-05..2027-01-06").unwrap(),
    ));
    assert_eq!(joined.next_open(at, Denver), denver(2027, 1, 7, 10));
}

#[test]
fn cut_leaves_only_time_off_blackout_days() {
    let b = winter();
    let (s, e) = (denver(2026, 12, 20, 8).timestamp(), denver(2027, 1, 6, 8).timestamp());
    let left = b.cut(vec![(s, e)]);
    assert_eq!(
        left,
        vec![
            (s, denver(2026, 12, 21, 0).timestamp()),
            (denver(2027, 1, 5, 0).timestamp(), e)
        ]
    );
    let inside = (
        denver(2026, 12, 22, 8).timestamp(),
        denver(2026, 12, 22, 14).timestamp(),
    );
    assert!(b.cut(vec![inside]).is_empty());
    assert_eq!(Blackout::default().cut(vec![inside]), vec![inside]);
}

use super::*;
use crate::domain::blackout::{Blackout, parse_list};
use crate::random::Draws;

fn window(from: &str, to: &str, date: &str) -> ChaosWindow {
    ChaosWindow {
        from: parse_time("from", from).unwrap(),
        to: parse_time("to", to).unwrap(),
        tz: parse_tz("tz", "America/Denver").unwrap(),
        date: parse_date("date", date).unwrap(),
    }
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::America::Denver)
        .format("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

fn before(date: &str) -> DateTime<Utc> {
    parse_date("d", date).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc() - chrono::Duration::days(30)
}

#[test]
fn winter_window_is_in_mst() {
    let (start, end) = window("08:00", "14:00", "2026-12-01").bounds().unwrap();
    assert_eq!(start.to_rfc3339(), "2026-12-01T15:00:00+00:00");
    assert_eq!(end.to_rfc3339(), "2026-12-01T21:00:00+00:00");
}

#[test]
fn summer_window_is_in_mdt() {
    let (start, _) = window("08:00", "14:00", "2026-07-01").bounds().unwrap();
    assert_eq!(start.to_rfc3339(), "2026-07-01T14:00:00+00:00");
}

#[test]
fn draws_stay_inside_windows_across_dst_and_midnight() {
    let draws = Draws::seeded(3);
    let cases = [
        ("01:00", "04:00", "2026-03-08"), // spring forward: 02:00-03:00 does not exist
        ("02:30", "03:30", "2026-03-08"), // starts inside the gap
        ("00:30", "02:30", "2026-11-01"), // fall back: 01:00-02:00 happens twice
        ("22:00", "02:00", "2026-12-31"), // crosses midnight and the year
        ("23:00", "03:00", "2026-03-07"), // crosses midnight into a DST change
    ];
    for (from, to, date) in cases {
        let w = window(from, to, date);
        let (start, end) = w.bounds().unwrap();
        assert!(end > start, "{from}-{to} {date}");
        for _ in 0..500 {
            let t = w
                .pick(before(date), &Blackout::default(), |a, b| draws.below(a, b))
                .unwrap();
            assert!(
                t >= start && t < end,
                "{} outside {}..{}",
                local(t),
                local(start),
                local(end)
            );
        }
    }
}

#[test]
fn spring_forward_window_is_an_hour_shorter() {
    let (start, end) = window("01:00", "04:00", "2026-03-08").bounds().unwrap();
    assert_eq!((end - start).num_hours(), 2);
    let (start, end) = window("00:30", "02:30", "2026-11-01").bounds().unwrap();
    assert_eq!((end - start).num_minutes(), 180);
    let (start, _) = window("02:30", "03:30", "2026-03-08").bounds().unwrap();
    assert_eq!(local(start), "2026-03-08 03:00:00 MDT");
}

#[test]
fn a_window_inside_the_spring_forward_gap_holds_no_moment() {
    let w = window("02:10", "02:50", "2027-03-14");
    assert_eq!(w.bounds(), Err(WindowError::NoMoment));
    assert_eq!(
        w.pick(before("2027-03-14"), &Blackout::default(), |a, _| a),
        Err(WindowError::NoMoment)
    );
    assert!(WindowError::NoMoment.message(&w).contains("holds no moment"));
}

#[test]
fn a_window_in_the_fall_back_overlap_draws_from_both_occurrences_only() {
    let w = window("01:30", "01:45", "2026-11-01");
    let draws = Draws::seeded(11);
    let (mut mdt, mut mst) = (0, 0);
    for _ in 0..2000 {
        let t = w
            .pick(before("2026-11-01"), &Blackout::default(), |a, b| draws.below(a, b))
            .unwrap();
        let reading = local(t);
        assert!(
            ("2026-11-01 01:30:00".."2026-11-01 01:45:00").contains(&&reading[..19]),
            "{reading}"
        );
        if reading.ends_with("MDT") { mdt += 1 } else { mst += 1 }
    }
    assert!(
        mdt > 800 && mst > 800,
        "both occurrences drawn alike: {mdt} MDT, {mst} MST"
    );
}

#[test]
fn an_ended_window_is_refused_and_an_open_one_draws_from_now() {
    let w = window("08:00", "14:00", "2026-12-01");
    let noon = "2026-12-01T19:00:00.250Z".parse::<DateTime<Utc>>().unwrap();
    let draws = Draws::seeded(5);
    for _ in 0..500 {
        let t = w.pick(noon, &Blackout::default(), |a, b| draws.below(a, b)).unwrap();
        assert!(
            t > noon && t < "2026-12-01T21:00:00Z".parse::<DateTime<Utc>>().unwrap(),
            "{t}"
        );
    }
    let after = "2026-12-01T21:00:00Z".parse::<DateTime<Utc>>().unwrap();
    assert_eq!(w.pick(after, &Blackout::default(), |a, _| a), Err(WindowError::Ended));
    assert_eq!(
        w.pick(after - chrono::Duration::seconds(1), &Blackout::default(), |a, _| a)
            .unwrap(),
        after - chrono::Duration::seconds(1)
    );
}

#[test]
fn dates_at_the_edge_of_the_calendar_are_refused_not_a_panic() {
    let mut w = window("22:00", "02:00", "2026-12-01");
    w.date = NaiveDate::MAX;
    assert_eq!(w.bounds(), Err(WindowError::OutOfRange));
    w.date = NaiveDate::MIN;
    assert!(w.pick(before("2026-12-01"), &Blackout::default(), |a, _| a).is_err());
}

#[test]
fn bad_fields_name_themselves() {
    assert!(parse_time("window.from", "8am").unwrap_err().contains("window.from"));
    assert!(parse_tz("window.tz", "Mars/Olympus").unwrap_err().contains("window.tz"));
    assert!(
        parse_date("window.date", "2026-13-01")
            .unwrap_err()
            .contains("window.date")
    );
}

#[test]
fn draws_skip_blackout_dates_and_a_window_inside_one_names_it() {
    let tz = chrono_tz::America::Denver;
    let b = Blackout::new(tz, &parse_list("FACTORY_BLACKOUT", "2026-12-21..2027-01-04").unwrap());
    let w = window("08:00", "14:00", "2026-12-24");
    let err = w.pick(before("2026-12-24"), &b, |a, _| a).unwrap_err();
    assert_eq!(
        err.message(&w),
        "window 08:00-14:00 on 2026-12-24 in America/Denver has no moment off blackout dates: \
         2026-12-24 is a blackout date (2026-12-21..2027-01-04)"
    );
    assert!(!w.open_under(&b));
    // A window running past midnight into the blackout draws only before midnight.
    let late = window("20:00", "04:00", "2026-12-20");
    let draws = Draws::seeded(5);
    for _ in 0..200 {
        let t = late.pick(before("2026-12-20"), &b, |a, c| draws.below(a, c)).unwrap();
        assert!(b.check(t).is_ok(), "{}", local(t));
    }
}

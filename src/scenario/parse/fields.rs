//! The chaos table of a scenario file, checked field by field (the orders: `orders.rs`).

use std::ops::Range;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use toml::Spanned;

use super::{RawChaos, RawWindow, ScenarioError, Source};
use crate::domain::blackout::DateRange;
use crate::domain::chaos::check_max_duration;
use crate::domain::window::{parse_date, parse_time, parse_tz, parse_weekday};
use crate::domain::{Blackout, ChaosMode, ChaosParams};
use crate::scenario::{ChaosSpec, StartSpec, WindowSpec};

/// The longest span a scenario may name: no drill or campaign reaches further than a year.
const MAX_SPAN: Duration = Duration::days(366);

/// "8m28s", "+2m", "-30s", "1h30m", "500ms": a signed duration of at most a year.
pub fn parse_span(raw: &str, signed: bool) -> Result<Duration, String> {
    let bad = || format!("{raw:?} is not a duration such as \"8m28s\", \"2h\" or \"500ms\"");
    let too_long = || format!("{raw:?} is longer than 366 days");
    let (sign, mut rest) = match raw.trim().as_bytes().first() {
        Some(b'+') => (1, &raw.trim()[1..]),
        Some(b'-') if signed => (-1, &raw.trim()[1..]),
        Some(b'-') => return Err(format!("{raw:?} must not be negative")),
        _ => (1, raw.trim()),
    };
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::zero();
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let n: i64 = rest[..digits].parse().map_err(|_| too_long())?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        // Checked: a file saying "99999999999999d" is an error, not a panic at start.
        let unit = match &rest[..unit_len] {
            "d" => Duration::try_days(n),
            "h" => Duration::try_hours(n),
            "m" => Duration::try_minutes(n),
            "s" => Duration::try_seconds(n),
            "ms" => Duration::try_milliseconds(n),
            _ => return Err(bad()),
        };
        total = unit
            .and_then(|u| total.checked_add(&u))
            .filter(|t| *t <= MAX_SPAN)
            .ok_or_else(too_long)?;
        rest = &rest[unit_len..];
    }
    Ok(total * sign)
}

fn mode(src: &Source, field: &str, raw: &Spanned<String>) -> Result<ChaosMode, ScenarioError> {
    ChaosMode::parse(raw.get_ref()).ok_or_else(|| {
        src.at(
            field,
            raw,
            format!(
                "unknown chaos mode {:?}; use one of fail, throttle, badjwt, flaky, expiredjwt, overload",
                raw.get_ref()
            ),
        )
    })
}

fn modes(src: &Source, c: &RawChaos) -> Result<Vec<(ChaosMode, u32)>, ScenarioError> {
    let spanned = |v: &str, span: Range<usize>| Spanned::new(span, v.to_owned());
    match (&c.mode, &c.modes) {
        (Some(m), None) => Ok(vec![(mode(src, "chaos.mode", m)?, 1)]),
        (None, Some(list)) => {
            let span = list.span();
            let picked: Vec<(ChaosMode, u32)> = match list.get_ref() {
                toml::Value::Array(items) => items
                    .iter()
                    .map(|v| {
                        let name = v
                            .as_str()
                            .ok_or_else(|| src.err(span.clone(), "chaos.modes: list mode names"))?;
                        Ok((mode(src, "chaos.modes", &spanned(name, span.clone()))?, 1))
                    })
                    .collect::<Result<_, ScenarioError>>()?,
                toml::Value::Table(weights) => weights
                    .iter()
                    .map(|(name, w)| {
                        let w = w.as_integer().filter(|w| (1..=1000).contains(w)).ok_or_else(|| {
                            src.err(
                                span.clone(),
                                format!("chaos.modes.{name}: a weight is a whole number from 1 to 1000"),
                            )
                        })?;
                        Ok((mode(src, "chaos.modes", &spanned(name, span.clone()))?, w as u32))
                    })
                    .collect::<Result<_, ScenarioError>>()?,
                _ => return Err(src.err(span, "chaos.modes: a list of modes, or a table of modes and weights")),
            };
            if picked.is_empty() {
                return Err(src.err(span, "chaos.modes: name at least one mode"));
            }
            Ok(picked)
        }
        (Some(m), Some(_)) => Err(src.at("chaos.mode", m, "give mode or modes, not both")),
        (None, None) => Err(src.err(0..0, "chaos: needs mode (one) or modes (several, with weights)")),
    }
}

pub(super) fn chaos(src: &Source, raw: &Spanned<RawChaos>) -> Result<ChaosSpec, ScenarioError> {
    let c = raw.get_ref();
    let modes = modes(src, c)?;
    let tz =
        c.tz.as_ref()
            .map(|t| parse_tz("chaos.tz", t.get_ref()).map_err(|e| src.err(t.span(), e)))
            .transpose()?;
    let start = match (&c.start, &c.window) {
        (Some(s), Some(_)) => return Err(src.at("chaos.start", s, "give start or window, not both")),
        (None, None) => StartSpec::Offset(Duration::zero()),
        (Some(s), None) => start(src, s, tz)?,
        (None, Some(w)) => StartSpec::Window(window(src, w)?),
    };
    let max_duration_secs = c
        .max_duration
        .as_ref()
        .map(|d| match parse_span(d.get_ref(), false) {
            Ok(span) => check_max_duration(span.num_seconds().max(0) as u64)
                .map_err(|_| src.at("chaos.max_duration", d, "must be from 1s to 30d")),
            Err(e) => Err(src.at("chaos.max_duration", d, e)),
        })
        .transpose()?;
    let params = match &c.params {
        None => ChaosParams::default(),
        Some(p) => {
            let r = p.get_ref();
            let params = ChaosParams {
                delay_ms: r.delay_ms,
                probability: r.probability,
                every_nth: r.every_nth,
                seed: None,
                retry_after_secs: r.retry_after_secs,
            };
            // Each mode must accept its share of the params, as the factory will check them.
            for (m, _) in &modes {
                crate::scenario::params_for(&params, *m)
                    .validate(*m, u64::MAX, 0)
                    .map_err(|e| src.err(p.span(), format!("chaos.params: {e} (mode {m})")))?;
            }
            let used = |applies: &[ChaosMode]| modes.iter().any(|(m, _)| applies.contains(m));
            for (set, name, applies) in [
                (r.delay_ms.is_some(), "delay_ms", &[ChaosMode::Throttle][..]),
                (r.probability.is_some(), "probability", &[ChaosMode::Flaky][..]),
                (r.every_nth.is_some(), "every_nth", &[ChaosMode::Flaky][..]),
                (
                    r.retry_after_secs.is_some(),
                    "retry_after_secs",
                    &[ChaosMode::Overload][..],
                ),
            ] {
                if set && !used(applies) {
                    return Err(src.err(p.span(), format!("chaos.params.{name} applies to none of the modes")));
                }
            }
            params
        }
    };
    Ok(ChaosSpec {
        modes,
        params,
        start,
        max_duration_secs,
    })
}

fn start(src: &Source, raw: &Spanned<toml::Value>, tz: Option<Tz>) -> Result<StartSpec, ScenarioError> {
    let text = match raw.get_ref() {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        _ => return Err(src.at("chaos.start", raw, "an offset such as \"+2m\", or a date and time")),
    };
    if text.starts_with('+') {
        return parse_span(&text, false)
            .map(StartSpec::Offset)
            .map_err(|e| src.at("chaos.start", raw, e));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(&text) {
        return Ok(StartSpec::At(t.to_utc()));
    }
    let local = NaiveDateTime::parse_from_str(&text.replace(' ', "T"), "%Y-%m-%dT%H:%M:%S").map_err(|_| {
        src.at(
            "chaos.start",
            raw,
            "an offset such as \"+2m\", or a date and time such as 2024-11-27T14:02:46",
        )
    })?;
    let tz = tz.ok_or_else(|| {
        src.at(
            "chaos.start",
            raw,
            "a local date and time needs chaos.tz, such as \"America/Denver\"",
        )
    })?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| StartSpec::At(t.with_timezone(&Utc)))
        .ok_or_else(|| {
            src.at(
                "chaos.start",
                raw,
                format!("{text} does not exist in {tz} (a daylight saving gap)"),
            )
        })
}

fn window(src: &Source, raw: &Spanned<RawWindow>) -> Result<WindowSpec, ScenarioError> {
    let w = raw.get_ref();
    let field = |name: &str, v: &Spanned<String>, f: fn(&str, &str) -> Result<_, String>| {
        f(&format!("chaos.window.{name}"), v.get_ref()).map_err(|e| src.err(v.span(), e))
    };
    let days = w
        .days
        .iter()
        .flatten()
        .map(|d| parse_weekday("chaos.window.days", d.get_ref()).map_err(|e| src.err(d.span(), e)))
        .collect::<Result<_, _>>()?;
    let first_date = w
        .first_date
        .as_ref()
        .map(|d| {
            let text = match d.get_ref() {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            parse_date("chaos.window.first_date", &text).map_err(|e| src.err(d.span(), e))
        })
        .transpose()?;
    let span_days = match &w.span_days {
        Some(n) if !(1..=366).contains(n.get_ref()) => {
            return Err(src.at("chaos.window.span_days", n, "must be from 1 to 366"));
        }
        Some(n) => *n.get_ref(),
        None => 1,
    };
    let tz = w.tz.get_ref().parse::<Tz>().map_err(|_| {
        src.at(
            "chaos.window.tz",
            &w.tz,
            "must be an IANA time zone such as America/Denver",
        )
    })?;
    let blackout = w
        .blackout
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, d)| {
            DateRange::parse(&format!("chaos.window.blackout[{i}]"), d.get_ref()).map_err(|e| src.err(d.span(), e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WindowSpec {
        from: field("from", &w.from, parse_time)?,
        to: field("to", &w.to, parse_time)?,
        tz,
        days,
        first_date,
        span_days,
        exclude: Vec::new(),
        blackout: Blackout::new(tz, &blackout),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_like_people_write_them() {
        assert_eq!(parse_span("8m28s", false), Ok(Duration::seconds(508)));
        assert_eq!(parse_span("+2m", false), Ok(Duration::minutes(2)));
        assert_eq!(parse_span("-30s", true), Ok(Duration::seconds(-30)));
        assert_eq!(parse_span("1h500ms", false), Ok(Duration::milliseconds(3_600_500)));
        for absurd in [
            "99999999999999d",
            "366d1s",
            "99999999999999999999s",
            "9223372036854775807ms",
        ] {
            assert!(parse_span(absurd, false).unwrap_err().contains("366 days"), "{absurd}");
        }
        for bad in ["", "+", "5", "5x", "m5", "-1s"] {
            assert!(parse_span(bad, false).is_err(), "{bad}");
        }
    }
}

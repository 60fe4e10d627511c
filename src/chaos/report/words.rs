//! Figures as a person writes them: counts with the right noun, ordinals, durations, money.

use num_format::{Locale, ToFormattedString};

/// "1 order", "8 orders".
pub fn count(n: u64, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// "1st", "2nd", "3rd", "11th", "22nd", "101st", "111th".
pub fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A duration in its largest unit and, when not zero, the next one down: "8 minutes 28
/// seconds", "1 hour 30 minutes", "5 minutes", "2 days 3 hours", "under a second".
pub fn duration(secs: i64) -> String {
    let secs = secs.max(0).unsigned_abs();
    if secs == 0 {
        return "under a second".into();
    }
    let units = [
        (86_400, "day", "days"),
        (3_600, "hour", "hours"),
        (60, "minute", "minutes"),
        (1, "second", "seconds"),
    ];
    let Some(first) = units.iter().position(|(size, ..)| secs >= *size) else {
        return "under a second".into();
    };
    let (size, one, many) = units[first];
    let mut words = count(secs / size, one, many);
    if let Some(&(next, one, many)) = units.get(first + 1) {
        let rest = secs % size / next;
        if rest > 0 {
            words = format!("{words} {}", count(rest, one, many));
        }
    }
    words
}

/// ₿ amounts without float noise: "0.4 ₿", "0.0038 ₿".
pub fn bitcoin(amount: f64) -> String {
    let text = format!("{:.8}", crate::domain::order::Order::round(amount));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} ₿")
}

/// Dollars to the cent with thousands separators: "$38,647.64".
pub fn dollars(amount: f64) -> String {
    let cents = (amount * 100.0).round().max(0.0) as u64;
    format!("${}.{:02}", (cents / 100).to_formatted_string(&Locale::en), cents % 100)
}

/// The lost revenue in ₿, and in dollars beside it when a rate is configured.
pub fn money(btc: f64, btc_usd: Option<f64>) -> String {
    match btc_usd {
        Some(rate) => format!("{} ({})", bitcoin(btc), dollars(btc * rate)),
        None => bitcoin(btc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_sensible_units() {
        assert_eq!(duration(508), "8 minutes 28 seconds");
        assert_eq!(duration(61), "1 minute 1 second");
        assert_eq!(duration(5), "5 seconds");
        assert_eq!(duration(1), "1 second");
        assert_eq!(duration(0), "under a second");
        assert_eq!(duration(300), "5 minutes");
        assert_eq!(duration(5_400), "1 hour 30 minutes");
        assert_eq!(duration(3_605), "1 hour");
        assert_eq!(duration(2 * 86_400 + 3 * 3_600 + 59), "2 days 3 hours");
        assert_eq!(duration(86_400), "1 day");
    }

    #[test]
    fn ordinals_and_counts_agree_with_their_numbers() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112, 1001]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th",
                "1001st"
            ]
        );
        assert_eq!(count(1, "order", "orders"), "1 order");
        assert_eq!(count(0, "order", "orders"), "0 orders");
        assert_eq!(count(8, "order", "orders"), "8 orders");
    }

    #[test]
    fn amounts_read_naturally() {
        assert_eq!(bitcoin(0.05 * 8.0), "0.4 ₿");
        assert_eq!(bitcoin(0.0038), "0.0038 ₿");
        assert_eq!(bitcoin(0.0), "0 ₿");
        assert_eq!(dollars(0.4 * 96_619.10), "$38,647.64");
        assert_eq!(dollars(0.0), "$0.00");
        assert_eq!(dollars(1_234_567.891), "$1,234,567.89");
        assert_eq!(money(0.4, Some(96_619.10)), "0.4 ₿ ($38,647.64)");
        assert_eq!(money(0.4, None), "0.4 ₿");
    }
}

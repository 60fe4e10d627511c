//! Per-vendor totals of a grade sheet: what an instructor reads before the rows.

use super::Grade;
use crate::domain::VendorId;

/// One vendor's incidents in a grade sheet, summed up.
#[derive(Clone, Debug, PartialEq)]
pub struct VendorTotal {
    pub vendor_id: VendorId,
    pub vendor_name: Option<String>,
    pub incidents: usize,
    /// Over the incidents that have ended; `None` while none has.
    pub mean_seconds: Option<f64>,
    pub median_seconds: Option<f64>,
    pub lost_revenue: f64,
    /// Over every incident, active ones at their score so far.
    pub mean_score: f64,
}

/// Seconds to resolve, the middle one (the mean of the two middle ones for an even count).
pub fn median(mut secs: Vec<i64>) -> Option<f64> {
    secs.sort_unstable();
    let n = secs.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(secs[n / 2] as f64),
        _ => Some((secs[n / 2 - 1] + secs[n / 2]) as f64 / 2.0),
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The totals of each vendor in `rows`, by vendor id.
pub fn by_vendor(rows: &[Grade]) -> Vec<VendorTotal> {
    let mut ids: Vec<&VendorId> = rows.iter().map(|g| &g.vendor_id).collect();
    ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let mine: Vec<&Grade> = rows.iter().filter(|g| &g.vendor_id == id).collect();
            let secs: Vec<i64> = mine.iter().filter_map(|g| g.seconds_to_resolve).collect();
            let scores: Vec<f64> = mine.iter().map(|g| g.score).collect();
            VendorTotal {
                vendor_id: id.clone(),
                vendor_name: mine.iter().rev().find_map(|g| g.vendor_name.clone()),
                incidents: mine.len(),
                mean_seconds: mean(&secs.iter().map(|&s| s as f64).collect::<Vec<_>>()),
                median_seconds: median(secs),
                lost_revenue: mine.iter().map(|g| g.lost_revenue).sum(),
                mean_score: mean(&scores).unwrap_or_default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use uuid::Uuid;

    use super::*;
    use crate::domain::ChaosMode;

    fn grade(vendor: &str, secs: Option<i64>, lost: f64, score: f64) -> Grade {
        Grade {
            vendor_id: VendorId::parse(vendor).unwrap(),
            vendor_name: Some(format!("Team {vendor}")),
            incident_id: Uuid::new_v4(),
            mode: ChaosMode::Fail,
            started_at: DateTime::UNIX_EPOCH,
            resolved_at: None,
            resolved_by: None,
            seconds_to_resolve: secs,
            orders_failed: 0,
            lost_revenue: lost,
            score,
        }
    }

    #[test]
    fn totals_count_every_incident_and_time_only_the_ended_ones() {
        let rows = [
            grade("b", Some(600), 0.1, 99.2),
            grade("a", Some(5400), 0.25, 92.5),
            grade("a", None, 0.5, 85.0),
            grade("a", Some(1800), 0.0, 97.5),
        ];
        let totals = by_vendor(&rows);
        assert_eq!(totals.len(), 2);
        let a = &totals[0];
        assert_eq!((a.vendor_id.as_str(), a.incidents), ("a", 3));
        assert_eq!(a.mean_seconds, Some(3600.0));
        assert_eq!(a.median_seconds, Some(3600.0));
        assert_eq!(a.lost_revenue, 0.75);
        assert_eq!(a.mean_score, 91.66666666666667);
        assert_eq!(totals[1].median_seconds, Some(600.0));
    }

    #[test]
    fn a_median_of_nothing_is_none() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3, 1, 2]), Some(2.0));
    }
}

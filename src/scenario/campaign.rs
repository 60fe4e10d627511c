//! Campaigns: a scenario's chaos scheduled for a whole class, each vendor with its own draw.

use std::path::Path;

use serde::Serialize;

use super::{PlannedStart, Scenario};
use crate::chaos::{self, ChaosError, ChaosRequest, Start};
use crate::domain::{Incident, VendorId};
use crate::factory::Factory;

/// Which vendors a campaign is for.
pub enum Vendors {
    /// Every vendor that is not an admin.
    All,
    These(Vec<VendorId>),
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub vendor_id: VendorId,
    pub reason: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    pub scenario: String,
    pub incidents: Vec<Incident>,
    /// Vendors that already had chaos pending: reported, never overwritten.
    pub skipped: Vec<Skipped>,
}

/// The scenarios of the configured directory; broken files are logged and left out.
pub fn load(dir: &Path) -> Vec<Scenario> {
    let (scenarios, errors) = super::load_dir(dir);
    for e in &errors {
        log::warn!("scenario not loaded: {e}");
    }
    if !scenarios.is_empty() {
        log::info!("loaded {} scenario(s) from {}", scenarios.len(), dir.display());
    }
    scenarios
}

/// Schedules the scenario's chaos for each vendor: a mode and an instant drawn for each, so a
/// class spread over a window does not fail all at once. Unknown vendors fail the whole call
/// before anything is scheduled.
pub async fn apply(f: &Factory, scenario: &Scenario, vendors: Vendors, by: String) -> Result<Applied, ChaosError> {
    let mut ids: Vec<VendorId> = match vendors {
        Vendors::All => f
            .directory
            .all()
            .into_iter()
            .filter(|e| !e.vendor.is_admin())
            .map(|e| e.vendor.id.clone())
            .collect(),
        Vendors::These(ids) => {
            if let Some(unknown) = ids.iter().find(|id| f.directory.by_id(id).is_none()) {
                return Err(ChaosError::UnknownVendor(unknown.clone()));
            }
            ids
        }
    };
    ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    ids.dedup();
    let mut applied = Applied {
        scenario: scenario.name.clone(),
        incidents: Vec::new(),
        skipped: Vec::new(),
    };
    for id in ids {
        let pending = f.directory.by_id(&id).and_then(|e| e.chaos.clone());
        if let Some(live) = pending {
            applied.skipped.push(Skipped {
                vendor_id: id,
                reason: format!("already has chaos pending (incident {})", live.incident_id),
            });
            continue;
        }
        let plan = scenario
            .chaos
            .plan(f.clock.now(), &f.draws)
            .map_err(ChaosError::Invalid)?;
        let request = ChaosRequest {
            mode: plan.mode,
            params: plan.params,
            start: match plan.start {
                PlannedStart::At(t) => Start::At(t),
                PlannedStart::Window(w) => Start::Window(w),
            },
            max_duration_secs: plan.max_duration_secs,
            drill: false,
        };
        match chaos::schedule(f, &id, request, format!("{by} (scenario {})", scenario.name)).await {
            Ok(incident) => applied.incidents.push(incident),
            // Scheduled meanwhile, by another admin or instance: still not overwritten.
            Err(ChaosError::Pending(_)) => applied.skipped.push(Skipped {
                vendor_id: id,
                reason: "already has chaos pending".into(),
            }),
            Err(e) => return Err(e),
        }
    }
    log::info!(
        "scenario {} applied by {by}: {} incident(s) scheduled, {} vendor(s) skipped",
        scenario.name,
        applied.incidents.len(),
        applied.skipped.len()
    );
    Ok(applied)
}

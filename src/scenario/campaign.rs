//! Campaigns: a scenario's chaos scheduled for a whole class, each vendor with its own draw.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{ChaosSpec, PlannedStart, Scenario};
use crate::chaos::{self, ChaosError, ChaosRequest, Start};
use crate::domain::{ChaosMode, ChaosParams, Incident, VendorId, instant};
use crate::factory::Factory;
use crate::random::Draws;

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
    /// The seed the schedule was drawn with: a dry run with it shows this schedule.
    pub seed: u64,
    pub incidents: Vec<Incident>,
    /// Vendors that already had chaos pending: reported, never overwritten.
    pub skipped: Vec<Skipped>,
}

/// The scenarios of the configured directory; broken files are logged and left out. A missing
/// or empty directory is a warning naming its absolute path: a factory started outside the repo
/// otherwise lists no scenario without saying why.
pub fn load(dir: &Path) -> Vec<Scenario> {
    let shown = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    if !dir.is_dir() {
        log::warn!(
            "scenario directory {} does not exist: no scenarios loaded (set FACTORY_SCENARIO_DIR to an absolute path)",
            shown.display()
        );
        return Vec::new();
    }
    let (scenarios, errors) = super::load_dir(dir);
    for e in &errors {
        log::warn!("scenario not loaded: {e}");
    }
    if scenarios.is_empty() {
        log::warn!(
            "scenario directory {} holds no scenario (*.toml): no scenarios loaded",
            shown.display()
        );
    } else {
        log::info!("loaded {} scenario(s) from {}", scenarios.len(), shown.display());
    }
    scenarios
}

/// Largest seed a campaign draws or accepts: every seed survives a JSON number in JavaScript.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// One vendor's chaos as planned: everything drawn, nothing stored yet.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VendorChaos {
    pub vendor_id: VendorId,
    pub mode: ChaosMode,
    pub params: ChaosParams,
    #[serde(serialize_with = "instant::ms")]
    pub start_at: DateTime<Utc>,
    /// `startAt` in the factory's zone, as the instructor plans.
    pub start_at_local: String,
    pub max_duration_secs: Option<u64>,
}

/// A campaign's exact schedule: what a dry run shows and what an apply of it stores.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignPlan {
    pub scenario: String,
    /// Applying with this seed (and the same inputs) gives this plan again.
    pub seed: u64,
    pub plan: Vec<VendorChaos>,
    pub skipped: Vec<Skipped>,
}

/// Draws each vendor's chaos from `spec`: a mode, a day and a second, from draws of its own
/// derived from `seed` and its id, so a vendor's draw does not depend on who else is in the
/// class or skipped. Unknown vendors fail the whole call.
pub fn plan(
    f: &Factory,
    scenario: &str,
    spec: &ChaosSpec,
    vendors: Vendors,
    seed: u64,
) -> Result<CampaignPlan, ChaosError> {
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
    let now = f.clock.now();
    let blackout = f.blackout().and(&spec.blackout());
    let mut planned = CampaignPlan {
        scenario: scenario.to_owned(),
        seed,
        plan: Vec::new(),
        skipped: Vec::new(),
    };
    for id in ids {
        if let Some(live) = f.directory.by_id(&id).and_then(|e| e.chaos.clone()) {
            planned.skipped.push(Skipped {
                vendor_id: id,
                reason: format!("already has chaos pending (incident {})", live.incident_id),
            });
            continue;
        }
        let draws = Draws::derived(seed, id.as_str());
        let drawn = spec.plan(now, &draws).map_err(ChaosError::Invalid)?;
        let start_at = match drawn.start {
            PlannedStart::At(t) if t < now - Duration::seconds(5) => {
                return Err(ChaosError::Invalid(format!(
                    "the scenario starts at {}, which has passed",
                    instant::format(&t)
                )));
            }
            PlannedStart::At(t) => {
                // Refused for the whole class here, not vendor by vendor halfway through storing.
                blackout
                    .check(t.max(now))
                    .map_err(|e| ChaosError::Invalid(format!("the scenario starts on a blackout date: {e}")))?;
                t.max(now)
            }
            PlannedStart::Window(w) => w
                .pick(now, &blackout, |low, high| draws.below(low, high))
                .map_err(|e| ChaosError::Invalid(e.message(&w)))?,
        };
        // Validated here, with the flaky seed drawn, so the preview shows what will be stored.
        let params = drawn
            .params
            .validate(drawn.mode, f.config.max_delay_ms, draws.next_u64())
            .map_err(ChaosError::Invalid)?;
        planned.plan.push(VendorChaos {
            vendor_id: id,
            mode: drawn.mode,
            params,
            start_at,
            start_at_local: instant::local(&start_at, f.config.time_zone),
            max_duration_secs: drawn.max_duration_secs,
        });
    }
    Ok(planned)
}

/// Stores a plan: each vendor's chaos at its planned instant. A vendor that got chaos pending
/// since the plan was drawn is skipped, never overwritten.
pub async fn apply(f: &Factory, planned: CampaignPlan, by: String) -> Result<Applied, ChaosError> {
    let mut applied = Applied {
        scenario: planned.scenario,
        seed: planned.seed,
        incidents: Vec::new(),
        skipped: planned.skipped,
    };
    for chaos in planned.plan {
        let request = ChaosRequest {
            mode: chaos.mode,
            params: chaos.params,
            start: Start::At(chaos.start_at),
            max_duration_secs: chaos.max_duration_secs,
            drill: false,
        };
        let initiated_by = format!("{by} (scenario {})", applied.scenario);
        match chaos::schedule(f, &chaos.vendor_id, request, initiated_by).await {
            Ok(incident) => applied.incidents.push(incident),
            // Scheduled meanwhile, by another admin or instance: still not overwritten.
            Err(ChaosError::Pending(_)) => applied.skipped.push(Skipped {
                vendor_id: chaos.vendor_id,
                reason: "already has chaos pending".into(),
            }),
            Err(e) => return Err(e),
        }
    }
    log::info!(
        "scenario {} applied by {by} with seed {}: {} incident(s) scheduled, {} vendor(s) skipped",
        applied.scenario,
        applied.seed,
        applied.incidents.len(),
        applied.skipped.len()
    );
    Ok(applied)
}

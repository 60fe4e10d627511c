//! Deleting a vendor: its open chaos ends in the same store transaction as the vendor row, so it
//! can neither outlive the vendor nor bite a vendor created later under the same id.

use crate::domain::{IncidentState, ResolvedBy, TimelineEvent, VendorId};
use crate::factory::Factory;
use crate::store::{StoreError, VendorEnding};

/// Deletes the vendor and ends its open incidents, whatever this instance's memory shows (on a
/// shared store, another instance may have created them a moment ago); false if it is unknown.
pub async fn delete_vendor(f: &Factory, id: &VendorId, by: &str) -> Result<bool, StoreError> {
    let now = f.clock.now();
    // A start or an expiry the order path has already acted on is recorded as such first.
    if let Some(live) = f.directory.by_id(id).and_then(|e| e.chaos.clone()) {
        super::settle::settle_chaos(f, &live, now).await?;
    }
    super::settle::flush_stats(f).await;
    let why = " (reason: vendor deleted)";
    let ending = VendorEnding {
        at: now,
        cancelled: TimelineEvent::new(now, "cancelled", format!("cancelled by {by} before it started{why}")),
        resolved: TimelineEvent::new(now, "resolved", format!("ended by {by}{why}")),
    };
    let Some(ended) = f.store.delete_vendor(id, &ending).await? else {
        return Ok(false);
    };
    f.directory.remove_vendor(id);
    for incident in ended {
        if incident.state == IncidentState::Resolved {
            super::record_end_of(f, incident.start_at, ResolvedBy::Admin, now);
        }
        log::info!(
            "incident {} of vendor {id} {} by {by}{why}",
            incident.id,
            incident.state.as_str()
        );
    }
    log::info!("vendor {id} deleted by {by}");
    Ok(true)
}

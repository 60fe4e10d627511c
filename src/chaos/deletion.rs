//! Deleting a vendor: its open chaos ends in the same store transaction as the vendor row, so it
//! can neither outlive the vendor nor bite a vendor created later under the same id.

use crate::domain::VendorId;
use crate::factory::Factory;
use crate::store::StoreError;

/// Deletes the vendor and ends its open incidents, whatever this instance's memory shows (on a
/// shared store, another instance may have created them a moment ago); false if it is unknown.
pub async fn delete_vendor(f: &Factory, id: &VendorId, by: &str) -> Result<bool, StoreError> {
    let now = f.clock.now();
    super::settle::flush_stats(f).await;
    let why = " (reason: vendor deleted)";
    let Some(ended) = f
        .store
        .delete_vendor(id, &super::ending::ending(now, by, why, true))
        .await?
    else {
        return Ok(false);
    };
    super::ending::forget_ended(f, Some(id), &ended, by, why);
    f.directory.remove_vendor(id);
    log::info!("vendor {id} deleted by {by}");
    Ok(true)
}

//! Deleting a vendor in SQLite: the vendor row and the end of its open incidents commit together.

use rusqlite::Connection;

use crate::domain::{NewEvent, VendorId};
use crate::store::{EndedIncident, VendorEnding};

/// Deletes the vendor and ends every open incident filed under its id, whatever lifetime or
/// instance made it; `None` if there was no such vendor.
pub(super) fn delete_vendor(
    c: &mut Connection,
    vendor: &VendorId,
    ending: &VendorEnding,
) -> rusqlite::Result<Option<Vec<EndedIncident>>> {
    let tx = c.transaction()?;
    if tx.execute("DELETE FROM vendors WHERE id = ?1", [vendor.as_str()])? == 0 {
        return Ok(None);
    }
    let ended = super::cluster::end_open(&tx, Some(vendor), ending)?;
    // After the endings it caused: a reader meets the incidents' ends, then the vendor's.
    super::events::record(&tx, &NewEvent::vendor_deleted(vendor, ending.at))?;
    tx.commit()?;
    Ok(Some(ended))
}

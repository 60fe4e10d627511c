//! How the chaos engine's refusals read over HTTP: one mapping for the API and the console.

use crate::chaos::ChaosError;
use crate::http::ApiError;

pub fn chaos_error(e: ChaosError) -> ApiError {
    match e {
        ChaosError::Invalid(why) => ApiError::bad_request(why),
        ChaosError::UnknownVendor(id) => ApiError::not_found(format!("vendor {id} not found")),
        ChaosError::Pending(id) => ApiError::conflict(format!("vendor {id} already has chaos scheduled or active")),
        ChaosError::Active(_) => ApiError::conflict("chaos is already active"),
        ChaosError::NoChaos(id) => ApiError::not_found(format!("vendor {id} has no chaos scheduled or active")),
        ChaosError::NotScheduled(id) => ApiError::not_found(format!("vendor {id} has no chaos scheduled")),
        ChaosError::UnknownIncident(id) => ApiError::not_found(format!("incident {id} not found")),
        e @ (ChaosError::Open(_) | ChaosError::Voided(_)) => ApiError::conflict(e.to_string()),
        ChaosError::Store(e) => e.into(),
    }
}

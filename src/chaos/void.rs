//! Voiding an incident (a typo, a test): it is kept and readable, with who voided it and why, but
//! left out of the default incident list. Only an ended incident can be voided: an open one is
//! still being recorded, so the admin ends it first (409 otherwise).

use uuid::Uuid;

use super::ChaosError;
use crate::domain::{Incident, TimelineEvent, Voided};
use crate::factory::Factory;

pub async fn void(f: &Factory, raw_id: &str, by: &str, reason: String) -> Result<Incident, ChaosError> {
    let missing = || ChaosError::UnknownIncident(raw_id.to_owned());
    let id = Uuid::parse_str(raw_id).map_err(|_| missing())?;
    let now = f.clock.now();
    let event = TimelineEvent::new(now, "voided", format!("voided by {by} (reason: {reason})"));
    let voided = Voided {
        at: now,
        by: by.to_owned(),
        reason,
    };
    let done = f.store.void_incident(id, &voided, &event).await?;
    let incident = f.store.incident(id).await?.ok_or_else(missing)?;
    if !done {
        return Err(if incident.state.is_open() {
            ChaosError::Open(id)
        } else {
            ChaosError::Voided(id)
        });
    }
    log::info!("incident {id} voided by {by}");
    Ok(incident)
}

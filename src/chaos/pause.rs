//! The kill switch and the chaos pause. Halt ends what is biting now and leaves the term's
//! schedule alone; a pause also holds back every start until its end.
//!
//! A chaos that would start during a pause is moved when the pause is set (and when it is
//! requested, or moved, during one) to a random moment of the configured daily window on the
//! first day whose window opens after the pause: the schedule an instructor reads is then the
//! one that will happen, each move on its incident's timeline. Each scheduler tick moves any
//! that slipped through (scheduled through another instance a moment before it learnt of the
//! pause), and the order path bites nothing while a pause holds, so nothing bites during one.

use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};

use super::postpone::after_pause;
use super::report::local_time;
use super::{ChaosError, reschedule::move_start};
use crate::domain::{IncidentState, Pause};
use crate::factory::Factory;
use crate::store::StoreError;

/// What an admin asks of the kill switch.
pub struct HaltRequest {
    pub reason: String,
    /// Also pause until then.
    pub until: Option<DateTime<Utc>>,
    /// Also cancel every scheduled chaos, not only end the active ones.
    pub cancel_scheduled: bool,
}

/// What the kill switch did.
pub struct Halted {
    /// Incidents ended or cancelled.
    pub halted: usize,
    pub paused_until: Option<DateTime<Utc>>,
}

/// Ends every active chaos (and cancels every scheduled one if asked), recording the reason on
/// each; with `until`, pauses chaos until then and moves what would start meanwhile.
pub async fn halt(f: &Factory, by: &str, request: HaltRequest) -> Result<Halted, ChaosError> {
    let now = f.clock.now();
    if request.until.is_some_and(|until| until <= now) {
        return Err(ChaosError::Invalid("until must be in the future".into()));
    }
    // Expiries the order path already acts on are recorded as such, not as halted.
    super::settle::settle(f, now).await?;
    // The pause first, so nothing starts while the active chaos is being ended; set at `now`,
    // it does not count as having held back a chaos already due (that one has been biting).
    if let Some(until) = request.until {
        let pause = Pause {
            until,
            reason: request.reason.clone(),
            by: by.to_owned(),
            at: now,
        };
        f.store.set_chaos_pause(Some(&pause)).await?;
        f.directory.set_pause(Some(until));
    }
    let why = format!(" (reason: halt: {})", request.reason);
    // The store ends what it holds open, so chaos another instance scheduled or started is
    // halted too, whatever this instance has cached of it.
    let ending = crate::store::VendorEnding {
        halted: true,
        ..super::ending::ending(now, by, &why, request.cancel_scheduled)
    };
    let ended = f.store.end_open_incidents(None, &ending).await?;
    // Read back, so the directory holds what is still open (and moves below, for the pause).
    f.reload().await?;
    super::ending::forget_ended(f, None, &ended, by, &why);
    let halted = ended.iter().filter(|e| e.state != IncidentState::Expired).count();
    hold_back(f, now).await?;
    let paused_until = f.directory.pause_until(now);
    log::warn!(
        "chaos halted by {by}: {halted} incident(s) ended or cancelled{} (reason: {})",
        paused_until
            .map(|t| format!(", paused until {}", crate::domain::instant::format(&t)))
            .unwrap_or_default(),
        request.reason
    );
    Ok(Halted { halted, paused_until })
}

/// Ends a pause early; what it moved stays where it was moved.
pub async fn resume(f: &Factory, by: &str) -> Result<(), StoreError> {
    f.store.set_chaos_pause(None).await?;
    f.directory.set_pause(None);
    log::warn!("chaos pause lifted by {by}");
    Ok(())
}

/// The pause in force now, read from the store (set through any instance).
pub async fn current(f: &Factory) -> Result<Option<Pause>, StoreError> {
    let now = f.clock.now();
    Ok(f.store.chaos_pause().await?.filter(|p| p.holds(now)))
}

/// Moves every scheduled chaos that would start during the pause in force at `now`.
pub(super) async fn hold_back(f: &Factory, now: DateTime<Utc>) -> Result<(), StoreError> {
    let Some(until) = f.directory.pause_until(now) else {
        return Ok(());
    };
    for live in f.directory.live_chaos() {
        if live.started.load(Ordering::Acquire) || live.start_at >= until {
            continue;
        }
        let to = after_pause(f, until);
        let tz = f.config.time_zone;
        let detail = format!(
            "moved from {} to {}: chaos is paused until {}",
            local_time(live.start_at, tz),
            local_time(to, tz),
            local_time(until, tz)
        );
        move_start(f, &live, to, detail).await?;
    }
    Ok(())
}

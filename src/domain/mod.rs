//! The factory's vocabulary: parsed types that cannot hold an invalid value.

pub mod blackout;
pub mod chaos;
pub mod day;
pub mod event;
pub mod grade;
pub mod incident;
pub mod instant;
pub mod ip_block;
pub mod minute;
pub mod order;
pub mod pause;
pub mod secret;
pub mod vendor;
pub mod webhook;
pub mod window;

pub use blackout::Blackout;
pub use chaos::{ChaosMode, ChaosParams};
pub use event::{Event, NewEvent};
pub use incident::{Incident, IncidentState, ResolvedBy, Stats, TimelineEvent, Voided};
pub use minute::{Minute, MinuteCount};
pub use pause::Pause;
pub use secret::{ApiKey, FeedToken, FixCode, KeyHash};
pub use vendor::{Role, Vendor, VendorId};
pub use window::ChaosWindow;

//! A pause of chaos: until its end no chaos starts, and what falls due meanwhile is moved after it.

use chrono::{DateTime, Utc};

#[derive(Clone, Debug, PartialEq)]
pub struct Pause {
    pub until: DateTime<Utc>,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

impl Pause {
    /// Whether a chaos starting at `start` would start during the pause.
    pub fn holds(&self, start: DateTime<Utc>) -> bool {
        start < self.until
    }
}

//! What a drill found: the reports it read and a verdict per expectation. Shared by the runner
//! that fills it in and the drill command that prints it.

use std::fmt::Write as _;

use crate::scenario::expect::{Observed, Verdict};

#[derive(Debug)]
pub struct DrillOutcome {
    pub seed: u64,
    pub notes: Vec<String>,
    pub observed: Observed,
    pub verdicts: Vec<Verdict>,
}

impl DrillOutcome {
    pub fn passed(&self) -> bool {
        self.verdicts.iter().all(|v| v.met)
    }

    /// The reports, then a line per expectation.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        for report in &self.observed.reports {
            let _ = writeln!(out, "\n{report}");
        }
        let _ = writeln!(out, "---\nexpectations:");
        for v in &self.verdicts {
            let _ = writeln!(out, "  {}", v.line);
        }
        let met = self.verdicts.iter().filter(|v| v.met).count();
        let _ = writeln!(out, "{met} of {} expectations met", self.verdicts.len());
        out
    }
}

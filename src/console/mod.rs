//! The instructor console: pages served under /admin.

pub mod chart;

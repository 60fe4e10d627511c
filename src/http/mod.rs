//! HTTP plumbing shared by every route: errors, authentication, CORS, extractor settings.

pub mod access;
pub mod auth;
pub mod body_deadline;
pub mod client_ip;
pub mod cors;
pub mod error;
pub mod fd_budget;
pub mod negotiate;
pub mod page;

pub use auth::{AdminCaller, VendorCaller};
pub use error::ApiError;

/// The largest request body any route reads (the contract's 64 KiB).
pub const BODY_LIMIT: usize = 64 * 1024;

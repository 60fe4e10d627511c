//! HTTP plumbing shared by every route: errors, authentication, CORS, extractor settings.

pub mod access;
pub mod auth;
pub mod body_deadline;
pub mod client_ip;
pub mod cors;
pub mod error;
pub mod fd_budget;

pub use auth::{AdminCaller, VendorCaller};
pub use error::ApiError;

//! What the catalog says of each route: its method and path, who may call it, what it reads and
//! answers. The catalog (`catalog.rs`) fills these in; `docs` and `openapi` only read them, so
//! they sit below the catalog rather than beside it.

use actix_web::Route;
use schemars::{Schema, SchemaGenerator};

pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    None,
    Vendor,
    Admin,
    /// Admin key or the metrics token.
    Metrics,
}

/// What a route answers when it succeeds.
#[derive(Clone, Copy)]
pub enum Reply {
    Json(u16, SchemaFn),
    Text(u16, &'static str),
    /// `text/event-stream`: server-sent events, each with `id`, `event` and `data`.
    Events(u16),
    Empty(u16),
}

pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub auth: Auth,
    pub description: &'static str,
    pub example: &'static str,
    pub sample: &'static str,
    pub route: fn() -> Route,
    pub body: Option<SchemaFn>,
    pub query: Option<SchemaFn>,
    pub reply: Reply,
    /// A second success answer, such as a dry run's 200 beside an apply's 201.
    pub also: Option<(u16, SchemaFn)>,
    /// Statuses other than `reply`'s, each answered with `{"message"}`.
    pub errors: &'static [u16],
}

impl Endpoint {
    pub fn requires_auth(&self) -> bool {
        self.auth != Auth::None
    }
}

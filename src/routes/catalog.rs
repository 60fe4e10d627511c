//! The route catalog: each route once, with its handler, its docs entry and its OpenAPI shape.
//! Registration, `/api/docs` and `/api/openapi.json` all read this table, so they cannot drift.

use std::sync::LazyLock;

use actix_web::{Route, web};
use schemars::{JsonSchema, Schema, SchemaGenerator};

use super::bodies::*;
pub use super::endpoint::{Auth, Endpoint, Reply, SchemaFn};
use super::{
    calendar, chaos, docs, events, grades, health, incidents, metrics, openapi, pause, roster, scenarios, support,
    tickets, vendors, webhooks,
};
use crate::domain::Incident;
use crate::factory::Factory;

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

const AUTHED: &[u16] = &[400, 401, 403, 404, 405, 413, 415, 503];
const PUBLIC: &[u16] = &[400, 404, 405, 413, 415];

fn ep(
    method: &'static str,
    path: &'static str,
    auth: Auth,
    description: &'static str,
    route: fn() -> Route,
    reply: Reply,
) -> Endpoint {
    let errors = if auth == Auth::None { PUBLIC } else { AUTHED };
    Endpoint {
        method,
        path,
        auth,
        description,
        example: "",
        sample: "null",
        route,
        body: None,
        query: None,
        reply,
        also: None,
        errors,
    }
}

impl Endpoint {
    fn body(mut self, body: SchemaFn) -> Self {
        self.body = Some(body);
        self
    }

    fn query(mut self, query: SchemaFn) -> Self {
        self.query = Some(query);
        self
    }

    fn also(mut self, code: u16, body: SchemaFn) -> Self {
        self.also = Some((code, body));
        self
    }

    fn errors(mut self, errors: &'static [u16]) -> Self {
        self.errors = errors;
        self
    }

    fn example(mut self, example: &'static str, sample: &'static str) -> Self {
        self.example = example;
        self.sample = sample;
        self
    }
}

const ORDER: &str = r#"curl -X POST $FACTORY/api/order -H 'authorization: Bearer $KEY' -H 'content-type: application/json' -d '{"diner":{"id":719,"name":"j","email":"j@jwt.com"},"order":{"items":[{"menuId":1,"description":"Veggie","price":0.0038}],"storeId":"5","franchiseId":4,"id":278}}'"#;

pub static ENDPOINTS: LazyLock<Vec<Endpoint>> = LazyLock::new(|| {
    use Auth::*;
    vec![
        ep("POST", "/api/order", Vendor, "Sign an order as a JWT ticket (vendor key)", || web::post().to(tickets::order), Reply::Json(200, schema::<Ticket>))
            .body(schema::<OrderRequest>)
            .errors(&[400, 401, 404, 405, 413, 415, 500, 503])
            .example(ORDER, r#"{"jwt":"eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6Ii4uLiJ9..."}"#),
        ep("POST", "/api/order/verify", None, "Verify a ticket", || web::post().to(tickets::verify), Reply::Json(200, schema::<Verified>))
            .body(schema::<VerifyRequest>)
            .errors(&[400, 403, 404, 405, 413])
            .example(r#"curl -X POST $FACTORY/api/order/verify -H 'content-type: application/json' -d '{"jwt":"..."}'"#, r#"{"message":"valid","payload":{"vendor":{"id":"team7","name":"Team 7"},"diner":{},"order":{}}}"#),
        ep("GET", "/.well-known/jwks.json", None, "Public keys that verify tickets (cache up to 60 s: a new key is listed 60 s before it signs)", || web::get().to(tickets::jwks), Reply::Json(200, schema::<Jwks>))
            .example("curl $FACTORY/.well-known/jwks.json", r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"...","kid":"...","alg":"EdDSA","use":"sig"}]}"#),
        ep("GET", "/api/vendor", Vendor, "The calling vendor", || web::get().to(vendors::me), Reply::Json(200, schema::<OwnVendor>))
            .example("curl $FACTORY/api/vendor -H 'authorization: Bearer $KEY'", r#"{"id":"team7","name":"Team 7","roles":["vendor"],"chaos":{"type":"none"}}"#),
        ep("PUT", "/api/vendor/chaos/{mode}", Vendor, "Schedule chaos for yourself at a random moment of tomorrow's window", || web::put().to(chaos::vendor_request), Reply::Json(200, schema::<Message>))
            .errors(&[400, 401, 404, 405, 409, 503])
            .example("curl -X PUT $FACTORY/api/vendor/chaos/fail -H 'authorization: Bearer $KEY'", r#"{"message":"Chaos initiated"}"#),
        ep("GET", "/api/vendor/incidents", Vendor, "Your own incidents that have ended", || web::get().to(incidents::vendor_list), Reply::Json(200, schema::<Vec<Incident>>))
            .example("curl $FACTORY/api/vendor/incidents -H 'authorization: Bearer $KEY'", r#"[{"id":"...","mode":"fail","state":"resolved"}]"#),
        ep("GET", "/api/vendor/incidents/{id}/report", Vendor, "Markdown report of one of your ended incidents", || web::get().to(incidents::vendor_report), Reply::Text(200, "text/markdown"))
            .example("curl $FACTORY/api/vendor/incidents/$ID/report -H 'authorization: Bearer $KEY'", r##""# Incident report: ...""##),
        ep("GET", support::REPORT_PATH, None, "Report chaos with the URL from a chaotic response; resolves it (a browser preferring text/html gets a page with a Resolve button instead)", || web::get().to(support::report), Reply::Json(200, schema::<Message>))
            .errors(&[400, 404, 405, 429, 503])
            .example("curl $FACTORY/api/support/team7/report/$CODE", r#"{"message":"Problem resolved. Pizza is back on the menu!"}"#),
        ep("POST", support::REPORT_PATH, None, "The same as GET, for clients that POST (a form POST answers an HTML page)", || web::post().to(support::report), Reply::Json(200, schema::<Message>))
            .errors(&[400, 404, 405, 429, 503])
            .example("curl -X POST $FACTORY/api/support/team7/report/$CODE", r#"{"message":"Problem resolved. Pizza is back on the menu!"}"#),
        ep("POST", "/api/admin/vendors", Admin, "Create a vendor; the answer holds its API key, shown once (admin)", || web::post().to(vendors::create), Reply::Json(201, schema::<CreatedVendor>))
            .body(schema::<vendors::NewVendor>)
            .errors(&[400, 401, 403, 404, 405, 409, 413, 415, 503])
            .example(r#"curl -X POST $FACTORY/api/admin/vendors -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"id":"team7","name":"Team 7"}'"#, r#"{"id":"team7","name":"Team 7","roles":["vendor"],"chaos":null,"apiKey":"..."}"#),
        ep("GET", "/api/admin/vendors", Admin, "List vendors with their pending or active chaos (admin)", || web::get().to(vendors::list), Reply::Json(200, schema::<Vec<AdminVendor>>))
            .example("curl $FACTORY/api/admin/vendors -H 'authorization: Bearer $ADMIN'", r#"[{"id":"team7","chaos":null}]"#),
        // Before `/api/admin/vendors/{id}`, which would otherwise take `import` for an id.
        ep("POST", "/api/admin/vendors/import", Admin, "Create a class's vendors from a JSON list or a CSV file; answers each rejected row's reason, and with Accept: text/csv the hand-out of keys (admin)", || web::post().to(roster::import), Reply::Json(200, schema::<roster::Imported>))
            .body(schema::<Vec<serde_json::Map<String, serde_json::Value>>>)
            .errors(&[400, 401, 403, 404, 405, 413, 415, 503])
            .example(r#"curl -X POST $FACTORY/api/admin/vendors/import -H 'authorization: Bearer $ADMIN' -H 'content-type: text/csv' -H 'accept: text/csv' --data-binary @roster.csv"#, r#"{"created":[{"id":"team7","apiKey":"..."}],"rejected":[{"row":3,"id":"team7","reason":"duplicate: vendor team7 appears earlier in this list"}]}"#),
        ep("GET", "/api/admin/vendors/{id}", Admin, "Read a vendor (admin)", || web::get().to(vendors::read), Reply::Json(200, schema::<AdminVendor>))
            .example("curl $FACTORY/api/admin/vendors/team7 -H 'authorization: Bearer $ADMIN'", r#"{"id":"team7","chaos":null}"#),
        ep("PATCH", "/api/admin/vendors/{id}", Admin, "Update a vendor's name, email, website, gitHubUrl or roles (admin)", || web::patch().to(vendors::update), Reply::Json(200, schema::<AdminVendor>))
            .body(schema::<vendors::VendorPatch>)
            .errors(&[400, 401, 403, 404, 405, 409, 413, 415, 503])
            .example(r#"curl -X PATCH $FACTORY/api/admin/vendors/team7 -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"name":"Team Seven"}'"#, r#"{"id":"team7","name":"Team Seven"}"#),
        ep("DELETE", "/api/admin/vendors/{id}", Admin, "Delete a vendor; its incidents are kept (admin)", || web::delete().to(vendors::delete), Reply::Empty(204))
            .errors(&[400, 401, 403, 404, 405, 409, 503])
            .example("curl -X DELETE $FACTORY/api/admin/vendors/team7 -H 'authorization: Bearer $ADMIN'", "null"),
        ep("POST", "/api/admin/vendors/{id}/apikey", Admin, "Issue a new API key; the old one stops working (admin)", || web::post().to(vendors::rotate_key), Reply::Json(200, schema::<IssuedKey>))
            .example("curl -X POST $FACTORY/api/admin/vendors/team7/apikey -H 'authorization: Bearer $ADMIN'", r#"{"apiKey":"..."}"#),
        ep("POST", "/api/admin/vendors/{id}/chaos", Admin, "Schedule chaos: now, at an instant, or at random in a window (admin)", || web::post().to(chaos::admin_schedule), Reply::Json(201, schema::<Incident>))
            .body(schema::<chaos::AdminChaos>)
            .errors(&[400, 401, 403, 404, 405, 409, 413, 415, 503])
            .example(r#"curl -X POST $FACTORY/api/admin/vendors/team7/chaos -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"mode":"fail","window":{"from":"08:00","to":"14:00","tz":"America/Denver","date":"2026-12-01"}}'"#, r#"{"id":"...","vendorId":"team7","mode":"fail","state":"scheduled"}"#),
        ep("DELETE", "/api/admin/vendors/{id}/chaos", Admin, "Cancel scheduled chaos or end active chaos (admin)", || web::delete().to(chaos::admin_end), Reply::Json(200, schema::<Incident>))
            .example("curl -X DELETE $FACTORY/api/admin/vendors/team7/chaos -H 'authorization: Bearer $ADMIN'", r#"{"id":"...","state":"cancelled"}"#),
        ep("PATCH", "/api/admin/vendors/{id}/chaos", Admin, "Move scheduled chaos to a new start (now, an instant, or a window); the same incident, its move on the timeline; 409 once active (admin)", || web::patch().to(chaos::admin_reschedule), Reply::Json(200, schema::<Incident>))
            .body(schema::<chaos::Reschedule>)
            .errors(&[400, 401, 403, 404, 405, 409, 413, 415, 503])
            .example(r#"curl -X PATCH $FACTORY/api/admin/vendors/team7/chaos -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"start":"now"}'"#, r#"{"id":"...","vendorId":"team7","mode":"fail","state":"active"}"#),
        ep("POST", "/api/admin/chaos/halt", Admin, "Kill switch: end every active chaos, with a reason; scheduled chaos stays unless cancelScheduled; with until, pause chaos until then (admin)", || web::post().to(pause::halt), Reply::Json(200, schema::<Halted>))
            .body(schema::<pause::Halt>)
            .example(r#"curl -X POST $FACTORY/api/admin/chaos/halt -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"reason":"exam day","until":"2026-12-03T07:00:00Z"}'"#, r#"{"halted":3,"pausedUntil":"2026-12-03T07:00:00.000Z"}"#),
        ep("POST", "/api/admin/chaos/resume", Admin, "End the chaos pause early (admin)", || web::post().to(pause::resume), Reply::Json(200, schema::<PauseState>))
            .example("curl -X POST $FACTORY/api/admin/chaos/resume -H 'authorization: Bearer $ADMIN'", r#"{"paused":false,"until":null,"reason":null}"#),
        ep("GET", "/api/admin/chaos/pause", Admin, "Whether chaos is paused, until when and why (admin)", || web::get().to(pause::state), Reply::Json(200, schema::<PauseState>))
            .example("curl $FACTORY/api/admin/chaos/pause -H 'authorization: Bearer $ADMIN'", r#"{"paused":true,"until":"2026-12-03T07:00:00.000Z","reason":"exam day"}"#),
        ep("GET", "/api/admin/incidents", Admin, "Incidents, newest first (sort=startAt: soonest start first); filter by vendor, state; limit 1-1000 and offset, with X-Total-Count and a Link to the next page; voided and drill ones only with includeVoided=true (admin)", || web::get().to(incidents::list), Reply::Json(200, schema::<Vec<Incident>>))
            .query(schema::<incidents::ListQuery>)
            .example("curl '$FACTORY/api/admin/incidents?state=active' -H 'authorization: Bearer $ADMIN'", r#"[{"id":"...","state":"active"}]"#),
        ep("GET", "/api/admin/incidents/{id}", Admin, "One incident with stats and timeline (admin)", || web::get().to(incidents::read), Reply::Json(200, schema::<Incident>))
            .example("curl $FACTORY/api/admin/incidents/$ID -H 'authorization: Bearer $ADMIN'", r#"{"id":"...","stats":{"ordersFailed":8}}"#),
        ep("POST", "/api/admin/incidents/{id}/void", Admin, "Void an ended incident (a typo, a test), with a reason: kept, but left out of the default list; 409 while open (admin)", || web::post().to(incidents::void), Reply::Json(200, schema::<Incident>))
            .body(schema::<incidents::Void>)
            .errors(&[400, 401, 403, 404, 405, 409, 413, 415, 503])
            .example(r#"curl -X POST $FACTORY/api/admin/incidents/$ID/void -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"reason":"scheduled by mistake"}'"#, r#"{"id":"...","voided":{"at":"...","by":"admin","reason":"scheduled by mistake"}}"#),
        ep("GET", "/api/admin/incidents/{id}/report", Admin, "Markdown incident report (admin)", || web::get().to(incidents::admin_report), Reply::Text(200, "text/markdown"))
            .example("curl $FACTORY/api/admin/incidents/$ID/report -H 'authorization: Bearer $ADMIN'", r##""# Incident report: ...""##),
        ep("GET", "/api/admin/grades", Admin, "Grade sheet: one row per incident that became active from `from` to `to` (days in the configured zone, both included, at most 366; default the year up to today), voided and drill ones left out, by startedAt; score = 100 - FACTORY_GRADE_PENALTY_PER_HOUR x hours to resolve (to now while active), never below FACTORY_GRADE_FLOOR (admin)", || web::get().to(grades::json), Reply::Json(200, schema::<Vec<crate::grades::Grade>>))
            .query(schema::<crate::grades::RangeQuery>)
            .example("curl '$FACTORY/api/admin/grades?from=2026-09-01&to=2026-12-31' -H 'authorization: Bearer $ADMIN'", r#"[{"vendorId":"team7","vendorName":"Team 7","incidentId":"...","mode":"fail","startedAt":"2026-10-13T16:21:07.000Z","resolvedAt":"2026-10-13T17:51:07.000Z","resolvedBy":"report","secondsToResolve":5400,"ordersFailed":12,"lostRevenue":0.0456,"score":92.5}]"#),
        ep("GET", "/api/admin/grades.csv", Admin, "The same grade sheet as a CSV download (RFC 4180, a header row of the same names; cells beginning with =, +, - or @ are prefixed with ') (admin)", || web::get().to(grades::csv), Reply::Text(200, "text/csv"))
            .query(schema::<crate::grades::RangeQuery>)
            .example("curl '$FACTORY/api/admin/grades.csv?from=2026-09-01&to=2026-12-31' -H 'authorization: Bearer $ADMIN'", r#""vendorId,vendorName,incidentId,mode,startedAt,resolvedAt,resolvedBy,secondsToResolve,ordersFailed,lostRevenue,score""#),
        ep("GET", "/api/admin/reports", Admin, "The incident reports of the same days as one Markdown document, one section per incident of the grade sheet (admin)", || web::get().to(grades::reports), Reply::Text(200, "text/markdown"))
            .query(schema::<crate::grades::RangeQuery>)
            .example("curl '$FACTORY/api/admin/reports?from=2026-09-01&to=2026-12-31' -H 'authorization: Bearer $ADMIN'", r##""# Incident reports, 2026-09-01 to 2026-12-31""##),
        ep("GET", "/api/admin/events", Admin, "Events (every incident timeline event, vendor created, deleted, key rotated), oldest first, with a seq that increases across the whole store: after (a seq) and limit 1-1000 page through them; next is the after of the next page (admin)", || web::get().to(events::list), Reply::Json(200, schema::<events::EventPage>))
            .query(schema::<events::ListQuery>)
            .example("curl '$FACTORY/api/admin/events?after=0&limit=100' -H 'authorization: Bearer $ADMIN'", r#"{"events":[{"seq":1,"type":"chaos.scheduled","at":"2026-12-01T19:00:00.000Z","vendorId":"team7","incidentId":"...","detail":{"kind":"scheduled","mode":"fail","text":"..."}}],"next":1}"#),
        ep("GET", "/api/admin/events/stream", Admin, "The same events as server-sent events (text/event-stream: id, event, data), live; resumes after Last-Event-ID (or ?after=), a comment every 15 s; 503 when too many streams are open (admin)", || web::get().to(events::stream), Reply::Events(200))
            .query(schema::<events::StreamQuery>)
            .example("curl -N $FACTORY/api/admin/events/stream -H 'authorization: Bearer $ADMIN' -H 'last-event-id: 41'", r#""id: 42\nevent: chaos.started\ndata: {\"seq\":42,\"type\":\"chaos.started\"}""#),
        ep("GET", "/api/admin/scenarios", Admin, "Scenarios loaded from the scenario directory (admin)", || web::get().to(scenarios::list), Reply::Json(200, schema::<Vec<serde_json::Value>>))
            .example("curl $FACTORY/api/admin/scenarios -H 'authorization: Bearer $ADMIN'", r#"[{"name":"semester-campaign","modes":[{"mode":"fail","weight":2}]}]"#),
        ep("POST", "/api/admin/scenarios/{name}/apply", Admin, "Schedule a scenario's chaos for vendors, each with its own draw from `seed`; pending ones are skipped. A term (firstDate, spanDays, days, exclude, window) overrides the file's window; with dryRun: 200 with the exact plan, nothing stored (admin)", || web::post().to(scenarios::apply), Reply::Json(201, schema::<serde_json::Value>))
            .body(schema::<scenarios::ApplyBody>)
            .also(200, schema::<serde_json::Value>)
            .errors(&[400, 401, 403, 404, 405, 409, 413, 415, 503])
            .example(r#"curl -X POST $FACTORY/api/admin/scenarios/semester-campaign/apply -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"vendors":"all","firstDate":"2026-09-07","spanDays":91,"days":["mon","tue","wed","thu","fri"],"exclude":["2026-11-23..2026-11-27"],"seed":5125,"dryRun":true}'"#, r#"{"scenario":"semester-campaign","seed":5125,"plan":[{"vendorId":"team01","mode":"fail","startAt":"2026-10-13T16:21:07.000Z","startAtLocal":"2026-10-13T10:21:07.000-06:00"}],"skipped":[]}"#),
        ep("POST", "/api/admin/calendar", Admin, "Create a secret calendar feed of scheduled, active and past chaos; its URL, shown only here, needs no key (admin)", || web::post().to(calendar::create), Reply::Json(201, schema::<calendar::CreatedFeed>))
            .example("curl -X POST $FACTORY/api/admin/calendar -H 'authorization: Bearer $ADMIN'", r#"{"id":"...","url":"https://factory.example/api/calendar/....ics"}"#),
        ep("GET", "/api/admin/calendar", Admin, "List calendar feeds: id and creation, never their URLs (admin)", || web::get().to(calendar::list), Reply::Json(200, schema::<Vec<calendar::Feed>>))
            .example("curl $FACTORY/api/admin/calendar -H 'authorization: Bearer $ADMIN'", r#"[{"id":"...","created":"2026-12-01T19:00:00.000Z","createdBy":"admin:admin"}]"#),
        ep("DELETE", "/api/admin/calendar/{id}", Admin, "Revoke a calendar feed: its URL answers 404 from then on (admin)", || web::delete().to(calendar::revoke), Reply::Empty(204))
            .example("curl -X DELETE $FACTORY/api/admin/calendar/$ID -H 'authorization: Bearer $ADMIN'", "null"),
        ep("GET", "/api/calendar/{token}.ics", None, "A calendar feed (text/calendar, RFC 5545): one event per scheduled, active or past chaos; the secret URL is the only key", || web::get().to(calendar::feed), Reply::Text(200, "text/calendar"))
            .errors(&[404, 405, 503])
            .example("curl $FACTORY/api/calendar/$TOKEN.ics", r#""BEGIN:VCALENDAR...""#),
        ep("POST", "/api/admin/keys/rotate", Admin, "New ticket signing key, listed in the JWKS at once and signing 60 s later; old keys verify until their tickets expire (admin)", || web::post().to(tickets::rotate), Reply::Json(200, schema::<NewKid>))
            .example("curl -X POST $FACTORY/api/admin/keys/rotate -H 'authorization: Bearer $ADMIN'", r#"{"kid":"..."}"#),
        ep("POST", "/api/admin/webhooks", Admin, "Register a webhook for event types (default every chaos.* type), as json or slack; the answer holds its signing secret, shown once. Targets must be public addresses unless FACTORY_WEBHOOK_ALLOW_PRIVATE=1 (admin)", || web::post().to(webhooks::create), Reply::Json(201, schema::<webhooks::CreatedWebhook>))
            .body(schema::<webhooks::NewWebhook>)
            .example(r#"curl -X POST $FACTORY/api/admin/webhooks -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"url":"https://hooks.example.edu/factory","events":["chaos.started","chaos.resolved"],"format":"slack"}'"#, r#"{"id":"...","url":"https://hooks.example.edu/factory","events":["chaos.started","chaos.resolved"],"format":"slack","createdAt":"...","secret":"whsec_..."}"#),
        ep("GET", "/api/admin/webhooks", Admin, "Registered webhooks, without their secrets (admin)", || web::get().to(webhooks::list), Reply::Json(200, schema::<Vec<webhooks::WebhookView>>))
            .example("curl $FACTORY/api/admin/webhooks -H 'authorization: Bearer $ADMIN'", r#"[{"id":"...","url":"https://hooks.example.edu/factory","format":"slack"}]"#),
        ep("DELETE", "/api/admin/webhooks/{id}", Admin, "Delete a webhook and its pending deliveries (admin)", || web::delete().to(webhooks::delete), Reply::Empty(204))
            .example("curl -X DELETE $FACTORY/api/admin/webhooks/$ID -H 'authorization: Bearer $ADMIN'", "null"),
        ep("GET", "/api/admin/webhooks/{id}/deliveries", Admin, "A webhook's newest 100 deliveries: state, attempts, last status, next try (admin)", || web::get().to(webhooks::deliveries), Reply::Json(200, schema::<Vec<webhooks::DeliveryView>>))
            .example("curl $FACTORY/api/admin/webhooks/$ID/deliveries -H 'authorization: Bearer $ADMIN'", r#"[{"id":"...","eventSeq":42,"state":"pending","attempts":2,"lastStatus":500,"nextAttemptAt":"..."}]"#),
        ep("POST", "/api/admin/webhooks/{id}/deliveries/{deliveryId}/retry", Admin, "Make a pending or failed delivery due now; 409 if it was delivered (admin)", || web::post().to(webhooks::retry), Reply::Json(202, schema::<Message>))
            .errors(&[400, 401, 403, 404, 405, 409, 503])
            .example("curl -X POST $FACTORY/api/admin/webhooks/$ID/deliveries/$DELIVERY/retry -H 'authorization: Bearer $ADMIN'", r#"{"message":"delivery is due now"}"#),
        ep("GET", "/api/docs", None, "This list of routes", || web::get().to(|f: web::Data<Factory>| async move { docs::docs(&ENDPOINTS, &f.public_url) }), Reply::Json(200, schema::<Docs>))
            .example("curl $FACTORY/api/docs", r#"{"message":"welcome to JWT Pizza Factory"}"#),
        ep("GET", "/api/openapi.json", None, "OpenAPI 3 document of every route", || web::get().to(|f: web::Data<Factory>| async move { openapi::openapi(&ENDPOINTS, &f.public_url) }), Reply::Text(200, "application/json"))
            .example("curl $FACTORY/api/openapi.json", r#"{"openapi":"3.0.3"}"#),
        ep("GET", "/metrics", Metrics, "Prometheus metrics (admin key or FACTORY_METRICS_TOKEN)", || web::get().to(metrics::metrics), Reply::Text(200, "text/plain"))
            .errors(&[401, 403, 404, 405])
            .example("curl $FACTORY/metrics -H 'authorization: Bearer $ADMIN'", r##""# TYPE factory_http_requests counter""##),
        ep("GET", "/healthz", None, "The process is up", || web::get().to(health::healthz), Reply::Json(200, schema::<Health>))
            .errors(&[404, 405])
            .example("curl $FACTORY/healthz", r#"{"status":"ok"}"#),
        ep("GET", "/readyz", None, "The store is reachable", || web::get().to(health::readyz), Reply::Json(200, schema::<Health>))
            .errors(&[404, 405, 503])
            .example("curl $FACTORY/readyz", r#"{"status":"ready"}"#),
    ]
});

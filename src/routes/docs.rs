//! `/api/docs` (compat shape): every route with an example and a sample response.

use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use crate::factory::Factory;

pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub requires_auth: bool,
    pub description: &'static str,
    pub example: &'static str,
    pub response: &'static str,
}

const fn e(
    method: &'static str,
    path: &'static str,
    requires_auth: bool,
    description: &'static str,
    example: &'static str,
    response: &'static str,
) -> Endpoint {
    Endpoint {
        method,
        path,
        requires_auth,
        description,
        example,
        response,
    }
}

/// The route table as documented. A test checks that each entry is served and each served route is here.
pub const ENDPOINTS: &[Endpoint] = &[
    e(
        "POST",
        "/api/order",
        true,
        "Sign an order as a JWT ticket (vendor key)",
        r#"curl -X POST $FACTORY/api/order -H 'authorization: Bearer $KEY' -H 'content-type: application/json' -d '{"diner":{"id":719,"name":"j","email":"j@jwt.com"},"order":{"items":[{"menuId":1,"description":"Veggie","price":0.0038}],"storeId":"5","franchiseId":4,"id":278}}'"#,
        r#"{"jwt":"eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6Ii4uLiJ9..."}"#,
    ),
    e(
        "POST",
        "/api/order/verify",
        false,
        "Verify a ticket",
        r#"curl -X POST $FACTORY/api/order/verify -H 'content-type: application/json' -d '{"jwt":"..."}'"#,
        r#"{"message":"valid","payload":{"vendor":{"id":"team7","name":"Team 7"},"diner":{},"order":{}}}"#,
    ),
    e(
        "GET",
        "/.well-known/jwks.json",
        false,
        "Public keys that verify tickets",
        "curl $FACTORY/.well-known/jwks.json",
        r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"...","kid":"...","alg":"EdDSA","use":"sig"}]}"#,
    ),
    e(
        "GET",
        "/api/vendor",
        true,
        "The calling vendor",
        "curl $FACTORY/api/vendor -H 'authorization: Bearer $KEY'",
        r#"{"id":"team7","name":"Team 7","roles":["vendor"],"chaos":{"type":"none"}}"#,
    ),
    e(
        "PUT",
        "/api/vendor/chaos/{mode}",
        true,
        "Schedule chaos for yourself at a random moment of tomorrow's window",
        "curl -X PUT $FACTORY/api/vendor/chaos/fail -H 'authorization: Bearer $KEY'",
        r#"{"message":"Chaos initiated"}"#,
    ),
    e(
        "GET",
        "/api/vendor/incidents",
        true,
        "Your own incidents that have ended",
        "curl $FACTORY/api/vendor/incidents -H 'authorization: Bearer $KEY'",
        r#"[{"id":"...","mode":"fail","state":"resolved"}]"#,
    ),
    e(
        "GET",
        "/api/vendor/incidents/{id}/report",
        true,
        "Markdown report of one of your ended incidents",
        "curl $FACTORY/api/vendor/incidents/$ID/report -H 'authorization: Bearer $KEY'",
        r##""# Incident report: ...""##,
    ),
    e(
        "GET",
        "/api/support/{vendor}/report/{code}",
        false,
        "Report chaos with the URL from a chaotic response; resolves it (POST also works)",
        "curl $FACTORY/api/support/team7/report/$CODE",
        r#"{"message":"Problem resolved. Pizza is back on the menu!"}"#,
    ),
    e(
        "POST",
        "/api/admin/vendors",
        true,
        "Create a vendor; the answer holds its API key, shown once (admin)",
        r#"curl -X POST $FACTORY/api/admin/vendors -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"id":"team7","name":"Team 7"}'"#,
        r#"{"id":"team7","name":"Team 7","roles":["vendor"],"chaos":null,"apiKey":"..."}"#,
    ),
    e(
        "GET",
        "/api/admin/vendors",
        true,
        "List vendors with their pending or active chaos (admin)",
        "curl $FACTORY/api/admin/vendors -H 'authorization: Bearer $ADMIN'",
        r#"[{"id":"team7","chaos":null}]"#,
    ),
    e(
        "GET",
        "/api/admin/vendors/{id}",
        true,
        "Read a vendor (admin)",
        "curl $FACTORY/api/admin/vendors/team7 -H 'authorization: Bearer $ADMIN'",
        r#"{"id":"team7","chaos":null}"#,
    ),
    e(
        "PATCH",
        "/api/admin/vendors/{id}",
        true,
        "Update a vendor's name, email, website, gitHubUrl or roles (admin)",
        r#"curl -X PATCH $FACTORY/api/admin/vendors/team7 -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"name":"Team Seven"}'"#,
        r#"{"id":"team7","name":"Team Seven"}"#,
    ),
    e(
        "DELETE",
        "/api/admin/vendors/{id}",
        true,
        "Delete a vendor; its incidents are kept (admin)",
        "curl -X DELETE $FACTORY/api/admin/vendors/team7 -H 'authorization: Bearer $ADMIN'",
        "null",
    ),
    e(
        "POST",
        "/api/admin/vendors/{id}/apikey",
        true,
        "Issue a new API key; the old one stops working (admin)",
        "curl -X POST $FACTORY/api/admin/vendors/team7/apikey -H 'authorization: Bearer $ADMIN'",
        r#"{"apiKey":"..."}"#,
    ),
    e(
        "POST",
        "/api/admin/vendors/{id}/chaos",
        true,
        "Schedule chaos: now, at an instant, or at random in a window (admin)",
        r#"curl -X POST $FACTORY/api/admin/vendors/team7/chaos -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"mode":"fail","window":{"from":"08:00","to":"14:00","tz":"America/Denver","date":"2026-12-01"}}'"#,
        r#"{"id":"...","vendorId":"team7","mode":"fail","state":"scheduled"}"#,
    ),
    e(
        "DELETE",
        "/api/admin/vendors/{id}/chaos",
        true,
        "Cancel scheduled chaos or end active chaos (admin)",
        "curl -X DELETE $FACTORY/api/admin/vendors/team7/chaos -H 'authorization: Bearer $ADMIN'",
        r#"{"id":"...","state":"cancelled"}"#,
    ),
    e(
        "POST",
        "/api/admin/chaos/halt",
        true,
        "Kill switch: cancel or end every chaos, with a reason (admin)",
        r#"curl -X POST $FACTORY/api/admin/chaos/halt -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"reason":"exam day"}'"#,
        r#"{"halted":3}"#,
    ),
    e(
        "GET",
        "/api/admin/incidents",
        true,
        "Incidents, newest first; filter by vendor, state, limit (admin)",
        "curl '$FACTORY/api/admin/incidents?state=active' -H 'authorization: Bearer $ADMIN'",
        r#"[{"id":"...","state":"active"}]"#,
    ),
    e(
        "GET",
        "/api/admin/incidents/{id}",
        true,
        "One incident with stats and timeline (admin)",
        "curl $FACTORY/api/admin/incidents/$ID -H 'authorization: Bearer $ADMIN'",
        r#"{"id":"...","stats":{"ordersFailed":8}}"#,
    ),
    e(
        "GET",
        "/api/admin/incidents/{id}/report",
        true,
        "Markdown incident report (admin)",
        "curl $FACTORY/api/admin/incidents/$ID/report -H 'authorization: Bearer $ADMIN'",
        r##""# Incident report: ...""##,
    ),
    e(
        "GET",
        "/api/admin/scenarios",
        true,
        "Scenarios loaded from the scenario directory (admin)",
        "curl $FACTORY/api/admin/scenarios -H 'authorization: Bearer $ADMIN'",
        r#"[{"name":"semester-campaign","modes":[{"mode":"fail","weight":2}]}]"#,
    ),
    e(
        "POST",
        "/api/admin/scenarios/{name}/apply",
        true,
        "Schedule a scenario's chaos for vendors, each with its own draw; pending ones are skipped (admin)",
        r#"curl -X POST $FACTORY/api/admin/scenarios/semester-campaign/apply -H 'authorization: Bearer $ADMIN' -H 'content-type: application/json' -d '{"vendors":"all"}'"#,
        r#"{"scenario":"semester-campaign","incidents":[{"id":"...","state":"scheduled"}],"skipped":[]}"#,
    ),
    e(
        "POST",
        "/api/admin/keys/rotate",
        true,
        "New ticket signing key; old keys verify until their tickets expire (admin)",
        "curl -X POST $FACTORY/api/admin/keys/rotate -H 'authorization: Bearer $ADMIN'",
        r#"{"kid":"..."}"#,
    ),
    e(
        "GET",
        "/api/docs",
        false,
        "This document",
        "curl $FACTORY/api/docs",
        r#"{"message":"welcome to JWT Pizza Factory"}"#,
    ),
    e(
        "GET",
        "/healthz",
        false,
        "The process is up",
        "curl $FACTORY/healthz",
        r#"{"status":"ok"}"#,
    ),
    e(
        "GET",
        "/readyz",
        false,
        "The store is reachable",
        "curl $FACTORY/readyz",
        r#"{"status":"ready"}"#,
    ),
];

pub async fn docs(f: web::Data<Factory>) -> HttpResponse {
    let endpoints: Vec<Value> = ENDPOINTS
        .iter()
        .map(|ep| {
            json!({
                "method": ep.method,
                "path": ep.path,
                "requiresAuth": ep.requires_auth,
                "description": ep.description,
                "example": ep.example.replace("$FACTORY", &f.public_url),
                "response": serde_json::from_str::<Value>(ep.response).unwrap_or(Value::Null),
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({
        "message": "welcome to JWT Pizza Factory",
        "version": env!("CARGO_PKG_VERSION"),
        "endpoints": endpoints,
    }))
}

//! `GET /api/openapi.json`: an OpenAPI 3 document built from the route catalog and the very
//! types the handlers parse and send.

use actix_web::HttpResponse;
use schemars::generate::SchemaSettings;
use schemars::transform::{ReplaceBoolSchemas, Transform};
use serde_json::{Map, Value, json};

use super::bodies::Message;
use super::endpoint::{Auth, Endpoint, Reply, SchemaFn};
use crate::domain::{ChaosMode, VendorId};

fn status_text(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Invalid input; the message says which field and why",
        401 => "invalid authentication",
        403 => "Not allowed for this role (verify: the ticket is invalid)",
        404 => "Unknown path or id",
        405 => "Method not allowed",
        409 => "Conflict with the current state",
        413 => "Body larger than 64 KiB",
        415 => "Body is not JSON",
        429 => "Rate limited; see Retry-After",
        500 => "Chaos `fail` (only while the vendor's chaos is active)",
        503 => "Oven full, chaos `overload`, or the store is unavailable",
        _ => "See the message",
    }
}

/// A schema for use inline: OpenAPI 3.0 has no boolean schemas, so `true` becomes `{}`.
fn inline(schema: SchemaFn, g: &mut schemars::SchemaGenerator) -> Value {
    let mut schema = schema(g);
    let mut replace = ReplaceBoolSchemas::default();
    replace.skip_additional_properties = true;
    replace.transform(&mut schema);
    schema.to_value()
}

fn path_parameters(path: &str, g: &mut schemars::SchemaGenerator) -> Vec<Value> {
    path.split('/')
        // A placeholder may have a literal suffix in its segment (`{token}.ics`).
        .filter_map(|seg| {
            seg.strip_prefix('{')
                .and_then(|s| s.split_once('}'))
                .map(|(name, _)| name)
        })
        .map(|name| {
            let by_uuid = path.contains("/incidents/") || path.contains("/calendar/");
            let schema = match (name, by_uuid) {
                ("mode", _) => g.subschema_for::<ChaosMode>().to_value(),
                // The report URL takes a vendor id, or an API key from an old link: any string.
                ("id", true) => json!({"type": "string", "format": "uuid"}),
                ("id", _) => g.subschema_for::<VendorId>().to_value(),
                _ => json!({"type": "string"}),
            };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .collect()
}

/// Query parameters from the properties of the handler's query type.
fn query_parameters(query: SchemaFn) -> Vec<Value> {
    let mut g = SchemaSettings::openapi3().into_generator();
    let mut schema = query(&mut g).to_value();
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
    {
        schema = g.definitions().get(name).cloned().unwrap_or_default();
    }
    let props = schema.get("properties").cloned().unwrap_or_default();
    props
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| json!({"name": name, "in": "query", "required": false, "schema": schema}))
        .collect()
}

pub fn document(endpoints: &[Endpoint], public_url: &str) -> Value {
    let mut g = SchemaSettings::openapi3().into_generator();
    let message = g.subschema_for::<Message>().to_value();
    let mut paths = Map::new();
    for ep in endpoints {
        let mut responses = Map::new();
        let (code, content) = match ep.reply {
            Reply::Json(code, schema) => (
                code,
                Some(json!({"application/json": {"schema": inline(schema, &mut g)}})),
            ),
            Reply::Text(code, ctype) => (code, Some(json!({ ctype: {"schema": {"type": "string"}} }))),
            // OpenAPI 3.0 has no schema for a stream; this one describes each event in it (the
            // fields of an SSE event, `data` being the event JSON), as SSE-aware clients read it.
            Reply::Events(code) => (
                code,
                Some(json!({"text/event-stream": {"schema": {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "id": {"type": "string"},
                        "event": {"type": "string"},
                        "data": {"type": "string"},
                        "retry": {"type": "integer"}
                    }
                }}})),
            ),
            Reply::Empty(code) => (code, None),
        };
        let mut ok = json!({"description": status_text(code)});
        if let Some(content) = content {
            ok["content"] = content;
        }
        responses.insert(code.to_string(), ok);
        if let Some((code, schema)) = ep.also {
            let content = json!({"application/json": {"schema": inline(schema, &mut g)}});
            responses.insert(
                code.to_string(),
                json!({"description": status_text(code), "content": content}),
            );
        }
        for &err in ep.errors {
            let mut response =
                json!({"description": status_text(err), "content": {"application/json": {"schema": message}}});
            if err == 429 {
                response["headers"] = json!({"Retry-After": {"schema": {"type": "integer"}}});
            }
            responses.insert(err.to_string(), response);
        }
        let mut parameters = path_parameters(ep.path, &mut g);
        if let Some(query) = ep.query {
            parameters.extend(query_parameters(query));
        }
        let mut op = json!({
            "operationId": format!("{} {}", ep.method, ep.path),
            "summary": ep.description,
            "parameters": parameters,
            "responses": responses,
        });
        if let Some(body) = ep.body {
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": inline(body, &mut g)}}});
        }
        if matches!(ep.auth, Auth::Vendor | Auth::Admin | Auth::Metrics) {
            op["security"] = json!([{"bearer": []}]);
        }
        let item = paths.entry(ep.path.to_owned()).or_insert_with(|| json!({}));
        item[ep.method.to_lowercase()] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Pizza Factory",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Signed JWT pizza tickets for JWT Pizza vendors, and chaos to teach incident response.",
        },
        "servers": [{"url": public_url}],
        "paths": paths,
        "components": {
            "schemas": g.take_definitions(true),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    })
}

/// The catalog is handed in: it names this handler, so this module cannot reach up to it.
pub fn openapi(endpoints: &[Endpoint], public_url: &str) -> HttpResponse {
    HttpResponse::Ok().json(document(endpoints, public_url))
}

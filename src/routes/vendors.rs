//! Vendors: a vendor reads itself; admins create, list, read, update, delete and re-key them.

use actix_web::{HttpResponse, web};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use super::bodies::{AdminVendor, CreatedVendor, IssuedKey, OwnChaos, OwnVendor};

use crate::chaos;
use crate::directory::VendorEntry;
use crate::domain::vendor::{normalize_roles, text_field};
use crate::domain::{ApiKey, Role, Vendor, VendorId};
use crate::factory::{ADMIN_ID, Factory};
use crate::http::{AdminCaller, ApiError, VendorCaller};
use crate::store::StoreError;

/// `GET /api/vendor` (compat): a scheduled chaos is invisible here.
pub async fn me(f: web::Data<Factory>, caller: VendorCaller) -> HttpResponse {
    let chaos = match caller.0.chaos.as_ref().filter(|c| f.directory.bites(c, f.clock.now())) {
        Some(c) => OwnChaos {
            kind: c.mode.to_string(),
            start_date: Some(c.start_at),
        },
        None => OwnChaos {
            kind: "none".into(),
            start_date: None,
        },
    };
    HttpResponse::Ok().json(OwnVendor {
        fields: (&caller.0.vendor).into(),
        chaos,
    })
}

fn parse_id(raw: &str) -> Result<VendorId, ApiError> {
    VendorId::parse(raw).map_err(|_| ApiError::not_found(format!("vendor {raw} not found")))
}

fn find(f: &Factory, raw: &str) -> Result<std::sync::Arc<VendorEntry>, ApiError> {
    let id = parse_id(raw)?;
    f.directory
        .by_id(&id)
        .ok_or_else(|| ApiError::not_found(format!("vendor {id} not found")))
}

fn optional_text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    value
        .map(|v| text_field(field, &v, max))
        .transpose()
        .map_err(ApiError::bad_request)
}

fn roles(raw: Option<Vec<String>>) -> Result<Option<Vec<Role>>, ApiError> {
    raw.map(|list| {
        list.iter()
            .map(|r| {
                Role::parse(r)
                    .ok_or_else(|| ApiError::bad_request(format!("roles: unknown role {r}; use vendor or admin")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|r| normalize_roles(&r))
    })
    .transpose()
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewVendor {
    pub(crate) id: VendorId,
    #[schemars(with = "super::schemas::Name")]
    pub(crate) name: String,
    #[schemars(with = "Option<super::schemas::Email>")]
    pub(crate) email: Option<String>,
    #[schemars(with = "Option<super::schemas::Url>")]
    pub(crate) website: Option<String>,
    #[schemars(with = "Option<super::schemas::Url>")]
    pub(crate) git_hub_url: Option<String>,
    #[schemars(with = "Option<Vec<Role>>")]
    pub(crate) roles: Option<Vec<String>>,
}

/// Why a vendor could not be registered: a field's problem, or an id already taken.
pub(crate) enum Refused {
    Invalid(ApiError),
    Taken(VendorId),
}

impl From<ApiError> for Refused {
    fn from(e: ApiError) -> Self {
        Refused::Invalid(e)
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Invalid(e.into())
    }
}

/// Checks and stores one new vendor with a fresh key: the one rule for the create route and
/// the roster import.
pub(crate) async fn register(f: &Factory, body: NewVendor, by: &str) -> Result<CreatedVendor, Refused> {
    let vendor = Vendor {
        name: text_field("name", &body.name, 200).map_err(ApiError::bad_request)?,
        email: optional_text("email", body.email, 320)?,
        website: optional_text("website", body.website, 2048)?,
        git_hub_url: optional_text("gitHubUrl", body.git_hub_url, 2048)?,
        roles: roles(body.roles)?.unwrap_or_else(|| vec![Role::Vendor]),
        created: f.clock.now(),
        uid: uuid::Uuid::new_v4(),
        id: body.id,
    };
    let key = ApiKey::generate();
    match f.store.insert_vendor(&vendor, key.hash()).await {
        Err(StoreError::Conflict(_)) => return Err(Refused::Taken(vendor.id)),
        other => other?,
    }
    f.directory.put_vendor(vendor.clone(), Some(vec![key.hash()]));
    log::info!("vendor {} created by {by}", vendor.id);
    Ok(CreatedVendor {
        vendor: AdminVendor {
            fields: (&vendor).into(),
            chaos: None,
        },
        api_key: key.expose().to_owned(),
    })
}

pub async fn create(
    f: web::Data<Factory>,
    admin: AdminCaller,
    body: web::Json<NewVendor>,
) -> Result<HttpResponse, ApiError> {
    match register(&f, body.into_inner(), &admin.label()).await {
        Ok(created) => Ok(HttpResponse::Created().json(created)),
        Err(Refused::Invalid(e)) => Err(e),
        Err(Refused::Taken(id)) => Err(ApiError::conflict(format!("vendor {id} already exists"))),
    }
}

pub async fn list(f: web::Data<Factory>, _admin: AdminCaller) -> Result<HttpResponse, ApiError> {
    let now = f.clock.now();
    chaos::scheduler::settle(&f, now).await?;
    let all: Vec<AdminVendor> = f.directory.all().iter().map(|e| AdminVendor::new(e, now)).collect();
    Ok(super::paging::all(&all))
}

pub async fn read(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let now = f.clock.now();
    if let Some(live) = find(&f, &path)?.chaos.clone() {
        chaos::scheduler::settle_chaos(&f, &live, now).await?;
    }
    let entry = find(&f, &path)?;
    Ok(HttpResponse::Ok().json(AdminVendor::new(&entry, now)))
}

/// Absent means unchanged; `null` clears an optional field.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VendorPatch {
    #[schemars(with = "Option<super::schemas::Name>")]
    name: Option<String>,
    /// null removes it.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<super::schemas::Email>")]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<super::schemas::Url>")]
    website: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<super::schemas::Url>")]
    git_hub_url: Option<Option<String>>,
    #[schemars(with = "Option<Vec<Role>>")]
    roles: Option<Vec<String>>,
}

pub async fn update(
    f: web::Data<Factory>,
    admin: AdminCaller,
    path: web::Path<String>,
    body: web::Json<VendorPatch>,
) -> Result<HttpResponse, ApiError> {
    let entry = find(&f, &path)?;
    let patch = body.into_inner();
    let mut vendor = entry.vendor.clone();
    if let Some(name) = patch.name {
        vendor.name = text_field("name", &name, 200).map_err(ApiError::bad_request)?;
    }
    if let Some(email) = patch.email {
        vendor.email = optional_text("email", email, 320)?;
    }
    if let Some(website) = patch.website {
        vendor.website = optional_text("website", website, 2048)?;
    }
    if let Some(url) = patch.git_hub_url {
        vendor.git_hub_url = optional_text("gitHubUrl", url, 2048)?;
    }
    if let Some(roles) = roles(patch.roles)? {
        if vendor.id.as_str() == ADMIN_ID && !roles.contains(&Role::Admin) {
            return Err(ApiError::conflict("the admin vendor keeps the admin role"));
        }
        vendor.roles = roles;
    }
    if !f.store.update_vendor(&vendor).await? {
        return Err(ApiError::not_found(format!("vendor {} not found", vendor.id)));
    }
    f.directory.put_vendor(vendor.clone(), None);
    log::info!("vendor {} updated by {}", vendor.id, admin.label());
    let entry = f.directory.by_id(&vendor.id).unwrap_or(entry);
    Ok(HttpResponse::Ok().json(AdminVendor::new(&entry, f.clock.now())))
}

pub async fn delete(
    f: web::Data<Factory>,
    admin: AdminCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    remove(&f, &path, &admin.label()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes a vendor, ending its open chaos: the rule for the API and the console.
pub(crate) async fn remove(f: &Factory, raw: &str, by: &str) -> Result<(), ApiError> {
    let entry = find(f, raw)?;
    let id = entry.vendor.id.clone();
    if id.as_str() == ADMIN_ID {
        return Err(ApiError::conflict("the admin vendor cannot be deleted"));
    }
    if !chaos::deletion::delete_vendor(f, &id, by).await? {
        return Err(ApiError::not_found(format!("vendor {id} not found")));
    }
    Ok(())
}

/// `POST /api/admin/vendors/{id}/apikey`: a new key; the old one stops working at once.
pub async fn rotate_key(
    f: web::Data<Factory>,
    admin: AdminCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = new_key(&f, &path, &admin.label()).await?;
    Ok(HttpResponse::Ok().json(IssuedKey {
        api_key: key.expose().to_owned(),
    }))
}

/// Replaces a vendor's keys with a fresh one: the rule for the API and the console.
pub(crate) async fn new_key(f: &Factory, raw: &str, by: &str) -> Result<ApiKey, ApiError> {
    let entry = find(f, raw)?;
    let key = ApiKey::generate();
    if !f
        .store
        .replace_api_key(&entry.vendor.id, key.hash(), f.clock.now())
        .await?
    {
        return Err(ApiError::not_found(format!("vendor {} not found", entry.vendor.id)));
    }
    f.directory.put_vendor(entry.vendor.clone(), Some(vec![key.hash()]));
    log::info!("API key of vendor {} rotated by {by}", entry.vendor.id);
    Ok(key)
}

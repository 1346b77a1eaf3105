//! Outlines (`POST /api/outlines/`) and brand kits (`/api/brand-kits/`, their logos), and the
//! logos themselves (`GET /brand-logos/{kit}/{file}`: the owner's, or whoever holds a signed URL).

use super::body::{checked, json_object};
use crate::api::extract::{request_user, ApiUser, Caller};
use crate::api::types::{BrandKitJson, BrandKitList, ErrorBody, OutlineJson, RawKit, ERR};
use crate::server::outline::RawOutline;
use crate::errors::AppError;
use crate::server::brand;
use crate::api::media::file_response;
use crate::server::delivery::files::MediaFile;
use crate::server::outline;
use crate::server::platform::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/outlines/", post(build_outline))
        .route("/api/brand-kits/", get(list_kits).post(create_kit))
        .route("/api/brand-kits/{id}/", get(get_kit).patch(update_kit).delete(delete_kit))
        // A logo may be up to 2 MB. More is read (up to 8 MB) so that "too large" is our named 400;
        // beyond that the body is not read at all, and refused all the same.
        .route("/api/brand-kits/{id}/logo/", put(upload_logo).layer(DefaultBodyLimit::max(4 * crate::model::design::LOGO_MAX_BYTES)))
        .route("/brand-logos/{kit}/{file}", get(logo))
}

/// The outline of a blog post or of pasted text: what the infographic will say, to review and
/// edit before creating it (send it back as create's `outline`). Free, rate limited like creates.
#[utoipa::path(post, path = "/api/outlines/", tag = "infographs", security(("token" = [])),
    request_body(content = RawOutline, content_type = "application/json"),
    responses(
        (status = 200, body = OutlineJson),
        (status = 400, description = "Invalid fields, no source, a blog that cannot be read or a text too short (named in `fields`)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 429, body = ErrorBody, content_type = ERR),
    ))]
pub async fn build_outline(State(state): State<AppState>, ApiUser(user): ApiUser, body: Bytes) -> Result<Json<OutlineJson>, AppError> {
    let raw: RawOutline = checked(&json_object(&body)?, |_| Some("is not accepted"), Ok)?;
    let (outline, made_by) = outline::build(&state, &user, &raw).await?;
    let mut json = OutlineJson::from(outline);
    json.made_by = Some(made_by.as_str().to_string());
    Ok(Json(json))
}

/// A brand kit's fields as sent; the use case checks them against the kit they make or change.
fn kit(body: &[u8]) -> Result<RawKit, AppError> {
    checked(&json_object(body)?, |_| Some("is not a brand kit field"), Ok)
}

/// Your brand kits, oldest first.
#[utoipa::path(get, path = "/api/brand-kits/", tag = "brand kits", security(("token" = [])),
    responses((status = 200, body = BrandKitList), (status = 401, body = ErrorBody, content_type = ERR)))]
pub async fn list_kits(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<BrandKitList>, AppError> {
    let kits: Vec<BrandKitJson> = brand::list(&state, &user).await?.into_iter().map(|k| BrandKitJson::from_view(k, &state.public_base_url)).collect();
    Ok(Json(BrandKitList { count: kits.len(), kits }))
}

/// A new brand kit.
#[utoipa::path(post, path = "/api/brand-kits/", tag = "brand kits", security(("token" = [])),
    request_body(content = RawKit, content_type = "application/json"),
    responses(
        (status = 201, body = BrandKitJson),
        (status = 400, description = "Invalid fields (named in `fields`: `colors[1]` for one colour)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 409, description = "Too many kits", body = ErrorBody, content_type = ERR),
    ))]
pub async fn create_kit(State(state): State<AppState>, ApiUser(user): ApiUser, body: Bytes) -> Result<(StatusCode, Json<BrandKitJson>), AppError> {
    let raw = kit(&body)?;
    let kit = brand::create(&state, &user, &raw).await?;
    Ok((StatusCode::CREATED, Json(BrandKitJson::from_view(kit, &state.public_base_url))))
}

/// One of your brand kits (anyone else's is a 404).
#[utoipa::path(get, path = "/api/brand-kits/{id}/", tag = "brand kits", security(("token" = [])),
    params(("id" = String, Path, description = "Brand kit id")),
    responses((status = 200, body = BrandKitJson), (status = 401, body = ErrorBody, content_type = ERR), (status = 404, body = ErrorBody, content_type = ERR)))]
pub async fn get_kit(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>) -> Result<Json<BrandKitJson>, AppError> {
    Ok(Json(BrandKitJson::from_view(brand::get(&state, &user, &id).await?, &state.public_base_url)))
}

/// Changes the fields sent, keeps the others.
#[utoipa::path(patch, path = "/api/brand-kits/{id}/", tag = "brand kits", security(("token" = [])),
    params(("id" = String, Path, description = "Brand kit id")),
    request_body(content = RawKit, content_type = "application/json"),
    responses(
        (status = 200, body = BrandKitJson),
        (status = 400, description = "Invalid fields (named in `fields`)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
    ))]
pub async fn update_kit(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>, body: Bytes) -> Result<Json<BrandKitJson>, AppError> {
    let raw = kit(&body)?;
    Ok(Json(BrandKitJson::from_view(brand::update(&state, &user, &id, &raw).await?, &state.public_base_url)))
}

/// Deletes the kit; infographs made with it keep its look.
#[utoipa::path(delete, path = "/api/brand-kits/{id}/", tag = "brand kits", security(("token" = [])),
    params(("id" = String, Path, description = "Brand kit id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody, content_type = ERR), (status = 404, body = ErrorBody, content_type = ERR)))]
pub async fn delete_kit(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>) -> Result<StatusCode, AppError> {
    brand::delete(&state, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The kit's logo: the request body is the image itself (PNG, JPEG or WebP, at most 2 MB; its
/// type is read from its bytes). It is re-encoded as PNG and replaces any earlier logo.
#[utoipa::path(put, path = "/api/brand-kits/{id}/logo/", tag = "brand kits", security(("token" = [])),
    params(("id" = String, Path, description = "Brand kit id")),
    request_body(content = Vec<u8>, content_type = "image/png", description = "The logo's bytes (image/png, image/jpeg or image/webp)"),
    responses(
        (status = 200, body = BrandKitJson),
        (status = 400, description = "Not an image we take, or too large (the field is `logo`)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
    ))]
pub async fn upload_logo(
    State(state): State<AppState>,
    // Also the session cookie: Settings uploads the file from the browser.
    Caller(user): Caller,
    Path(id): Path<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<BrandKitJson>, AppError> {
    let too_large = || AppError::invalid_field("logo", format!("must be at most {} MB", crate::model::design::LOGO_MAX_BYTES / (1024 * 1024)));
    let body = body.map_err(|_| too_large())?;
    if body.is_empty() {
        return Err(AppError::invalid_field("logo", "is required: send the image as the request body"));
    }
    Ok(Json(BrandKitJson::from_view(brand::set_logo(&state, &user, &id, body).await?, &state.public_base_url)))
}

#[derive(serde::Deserialize)]
pub struct Signed {
    expires: Option<String>,
    signature: Option<String>,
}

/// A kit's logo: to its owner, or (for one file and an hour) to whoever holds a signed URL.
pub async fn logo(State(state): State<AppState>, Path((kit, file)): Path<(String, String)>, Query(signed): Query<Signed>, headers: HeaderMap) -> Result<Response, AppError> {
    let signature = signed.expires.as_deref().zip(signed.signature.as_deref());
    let owner = match signature {
        Some(_) => None,
        None => request_user(&state, &headers).await?,
    };
    let key = brand::logo_file(&state, owner.as_ref(), &kit, &file, signature).await?;
    // The same inert, content-addressed answer as a stored picture (the key ends `.png`).
    let mut response = file_response(&state, &kit, MediaFile::Stored(key), "private, max-age=31536000, immutable").await?;
    if signature.is_none() {
        // The owner's answer depends on who asks.
        response.headers_mut().insert(header::VARY, HeaderValue::from_static("Cookie, Authorization"));
    }
    Ok(response)
}

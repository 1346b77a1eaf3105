//! `GET /media/{id}/{file}`: our stored images and thumbnails, to their owner only (see the
//! serving policy in `server::delivery::storage`). The caller is the session cookie's user (an
//! `<img>` in the app) or the `Authorization: Token` user (an API client); or, for one file and
//! an hour, whoever holds a URL we signed for it (fal, fetching the image a refinement edits).

use super::extract::request_user;
use crate::errors::AppError;
use crate::server::delivery::files::{self, MediaFile};
use crate::server::delivery::storage;
use crate::server::platform::state::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};


/// File names are `<hex>.<ext>` or `<hex>-thumb.jpg`; anything else is not ours. An `.svg` is
/// only ever a sanitised vector picture (`server::delivery::vector`).
fn valid_file_name(file: &str) -> bool {
    file.len() <= 64
        && file.split_once('.').is_some_and(|(stem, ext)| {
            !stem.is_empty()
                && stem.chars().all(|c| c.is_ascii_hexdigit() || c == '-' || c.is_ascii_lowercase())
                && matches!(ext, "png" | "jpg" | "webp" | "gif" | "svg")
        })
}

#[derive(serde::Deserialize)]
pub struct Signed {
    expires: Option<String>,
    signature: Option<String>,
}

/// Whose files the request may have: the signed file's job (anyone's), or the caller's.
async fn allowed_owner(state: &AppState, headers: &HeaderMap, id: &str, file: &str, signed: &Signed) -> Result<Option<String>, AppError> {
    match (&signed.expires, &signed.signature) {
        (Some(expires), Some(signature)) => {
            if storage::signature_holds(&state.signer, id, file, expires, signature, crate::server::platform::db::now_ms()) {
                Ok(None)
            } else {
                Err(AppError::Forbidden("this link is not valid or has expired".into()))
            }
        }
        _ => Ok(Some(request_user(state, headers).await?.ok_or(AppError::Unauthorized)?.id)),
    }
}

pub async fn serve(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    Query(signed): Query<Signed>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let owner = allowed_owner(&state, &headers, &id, &file, &signed).await?;
    if !valid_file_name(&file) || id.len() > 64 {
        return Err(AppError::NotFound);
    }
    // Ownership is part of the lookup: another user's image is indistinguishable from none.
    let found = files::media_file(&state.db, owner.as_deref(), &id, &file).await?.ok_or(AppError::NotFound)?;
    // Content-addressed names never change meaning; `private`: only the owner's browser caches.
    let mut response = file_response(&state, &id, found, "private, max-age=31536000, immutable").await?;
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("Cookie, Authorization"));
    Ok(response)
}

/// A stored file (or rendition) as an answer, with `cache` as its `Cache-Control`; inert
/// whatever it holds (`nosniff`, a sandboxing policy).
pub async fn file_response(state: &AppState, id: &str, found: MediaFile, cache: &'static str) -> Result<Response, AppError> {
    let content_type = found.content_type();
    let (size, stream) = files::open(&state.storage, &state.config.storage, found).await.map_err(|e| {
        tracing::error!(infograph = %id, error = %e, "a stored image could not be read");
        match e {
            object_store::Error::NotFound { .. } => AppError::NotFound,
            _ => AppError::Internal,
        }
    })?;
    let mut response = (StatusCode::OK, Body::from_stream(stream)).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy_for(content_type)));
    Ok(response)
}

/// A stored SVG is sanitised (`vector`), and opened on its own it still runs nothing: no script,
/// no fetch, no plug-in; its own inline styling and embedded `data:` images only (usvg writes
/// embedded rasters as `data:` URLs).
const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

fn policy_for(content_type: &str) -> &'static str {
    if content_type == "image/svg+xml" {
        SVG_POLICY
    } else {
        "default-src 'none'; sandbox"
    }
}

#[cfg(test)]
mod tests {
    use super::{policy_for, valid_file_name};

    #[test]
    fn an_svg_is_served_under_a_policy_that_runs_nothing() {
        let svg = policy_for("image/svg+xml");
        assert!(svg.starts_with("default-src 'none';") && svg.contains("sandbox") && !svg.contains("script"), "{svg}");
        assert_eq!(policy_for("image/png"), "default-src 'none'; sandbox");
    }

    #[test]
    fn only_our_file_names_are_served() {
        assert!(valid_file_name("0123abcd.png"));
        assert!(valid_file_name("0123abcd-thumb.jpg"));
        assert!(!valid_file_name("../secret.png"));
        assert!(valid_file_name("0123abcd.svg"), "a vector picture, sanitised when stored");
        assert!(!valid_file_name("0123abcd.html"));
        assert!(!valid_file_name("0123abcd.svgz"));
        assert!(!valid_file_name(".png"));
    }
}

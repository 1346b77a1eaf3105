//! Helpers that turn the server-function context (request parts, app state) into typed values.

use crate::api::extract;
use crate::errors::AppError;
use crate::server::accounts::users::UserRow;
use crate::server::platform::state::AppState;
use axum::http::{header, HeaderValue};
use leptos::prelude::use_context;

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server-function context");
        AppError::Internal
    })
}

fn parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

pub fn session_token() -> Option<String> {
    parts().and_then(|p| extract::session_token(&p.headers).map(str::to_string))
}

pub async fn optional_user(state: &AppState) -> Result<Option<UserRow>, AppError> {
    match parts() {
        Some(parts) => extract::session_user(state, &parts.headers).await,
        None => Ok(None),
    }
}

pub async fn require_user() -> Result<(AppState, UserRow), AppError> {
    let state = app_state()?;
    let user = optional_user(&state).await?.ok_or(AppError::Unauthorized)?;
    Ok((state, user))
}

/// The browser's rate-limit key, for sign-up and sign-in; a `400` (with that status) when the
/// trusted proxy header's entry is not an address.
pub fn client_ip(state: &AppState) -> Result<String, AppError> {
    let key = match parts() {
        Some(parts) => extract::client_ip(&parts, state),
        None => crate::api::client_address::client_key(&http::HeaderMap::new(), None, None),
    };
    key
}

pub fn set_cookie(value: String) {
    if let (Some(response), Ok(value)) = (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(&value)) {
        response.append_header(header::SET_COOKIE, value);
    }
}

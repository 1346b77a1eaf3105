//! Helpers that turn the server-function context (request parts, app state) into typed values.

use crate::errors::AppError;
use crate::server::auth::{cookie_value, user_for_session, SESSION_COOKIE};
use crate::server::db::UserRow;
use crate::server::state::AppState;
use axum::http::{header, HeaderValue};
use leptos::prelude::use_context;

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server-function context");
        AppError::Internal
    })
}

pub fn session_token() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| cookie_value(h, SESSION_COOKIE).map(str::to_string))
}

pub async fn optional_user(state: &AppState) -> Result<Option<UserRow>, AppError> {
    match session_token() {
        Some(token) => user_for_session(&state.db, &token).await,
        None => Ok(None),
    }
}

pub async fn require_user() -> Result<(AppState, UserRow), AppError> {
    let state = app_state()?;
    let user = optional_user(&state).await?.ok_or(AppError::Unauthorized)?;
    Ok((state, user))
}

/// The browser's address, for rate limiting sign-up and sign-in.
pub fn client_ip(state: &AppState) -> String {
    let parts = use_context::<http::request::Parts>();
    let peer = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>())
        .map(|c| c.0);
    let headers = parts.map(|p| p.headers).unwrap_or_default();
    crate::server::ratelimit::client_ip(&headers, peer, state.config.trusted_proxy_header.as_deref())
}

pub fn set_cookie(value: String) {
    if let (Some(response), Ok(value)) =
        (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(&value))
    {
        response.append_header(header::SET_COOKIE, value);
    }
}

/// Gives a server function's error its HTTP status (server functions otherwise answer every
/// error with 500): a 404 stays a 404 for whoever calls the endpoint directly.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        if let (Some(response), Ok(status)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            axum::http::StatusCode::from_u16(err.status_code()),
        ) {
            response.set_status(status);
        }
    }
    result
}

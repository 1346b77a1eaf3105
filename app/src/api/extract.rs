//! Who is calling: the extractors every REST handler, the media route and the event stream take,
//! and the one parser of the session cookie.

use super::client_address;
use crate::errors::AppError;
use crate::server::accounts::sessions::{self, SESSION_COOKIE};
use crate::server::accounts::tokens;
use crate::server::accounts::users::UserRow;
use crate::server::platform::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

/// Reads one cookie's value from a `Cookie` header.
fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v.trim())
}

/// The browser's session token, from the request's `Cookie` headers.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE)
}

/// The value of the request's cookie `name`.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|h| cookie_value(h, name))
}

/// The signed-in browser user, from the session cookie.
pub async fn session_user(state: &AppState, headers: &HeaderMap) -> Result<Option<UserRow>, AppError> {
    match session_token(headers) {
        Some(token) => Ok(sessions::user(&state.db, token).await?),
        None => Ok(None),
    }
}

/// Who sent a request: its `Authorization: Token` when it has an `Authorization` header (a
/// client that sends credentials is judged on them), else its session cookie. `None`: neither
/// authenticates.
pub async fn request_user(state: &AppState, headers: &HeaderMap) -> Result<Option<UserRow>, AppError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let Some(token) = value.to_str().ok().and_then(tokens::from_authorization) else {
            return Ok(None);
        };
        return Ok(state.tokens.user(&state.db, token).await?);
    }
    session_user(state, headers).await
}

/// The caller of a REST endpoint, from `Authorization: Token <key>` only.
pub struct ApiUser(pub UserRow);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(tokens::from_authorization)
            .ok_or(AppError::Unauthorized)?;
        state.tokens.user(&state.db, token).await?.map(ApiUser).ok_or(AppError::Unauthorized)
    }
}

/// The caller of an endpoint the browser also uses (downloads, images, the event stream): an API
/// token, or else the session cookie (see [`request_user`]).
pub struct Caller(pub UserRow);

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        request_user(state, &parts.headers).await?.map(Caller).ok_or(AppError::Unauthorized)
    }
}

/// The caller's rate-limit key (its address, an IPv6 one by its /64; see
/// [`client_address::client_key`]). A trusted proxy header whose entry is not an address is a `400`
/// before the handler runs, so nothing is counted or created.
pub struct ClientIp(pub String);

/// The rate-limit key of a request's client.
pub fn client_ip(parts: &Parts, state: &AppState) -> Result<String, AppError> {
    let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0);
    client_address::client_key(&parts.headers, peer, state.config.trusted_proxy_header.as_deref())
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        client_ip(parts, state).map(ClientIp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_exact_name() {
        let h = "a=1; infograph_session=xyz; infograph_session_old=no";
        assert_eq!(cookie_value(h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie_value(h, "missing"), None);
    }
}

//! Accounts and API keys: register, get a key, read and change the account.

use super::body::{account_patch, credentials};
use crate::api::extract::{ApiUser, ClientIp};
use crate::api::types::{AccountJson, AccountPatch, Credentials, ErrorBody, Registered, TokenJson, ERR};
use crate::errors::AppError;
use crate::server::accounts::{tokens, users};
use crate::server::billing::rate_limit;
use crate::server::delivery::email;
use crate::server::platform::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/register/", post(register))
        .route("/api/auth/token/", post(token))
        .route("/api/account/", get(account).patch(update_account))
}

/// Creates an account (with the sign-up credits) and its first API key.
#[utoipa::path(post, path = "/api/auth/register/", tag = "account",
    request_body(content = Credentials, content_type = "application/json"),
    responses(
        (status = 201, body = Registered),
        (status = 400, description = "A field is missing or invalid", body = ErrorBody, content_type = ERR),
        (status = 409, description = "The email is taken", body = ErrorBody, content_type = ERR),
        (status = 429, description = "Too many attempts from this address", body = ErrorBody, content_type = ERR),
    ))]
pub async fn register(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> Result<Response, AppError> {
    rate_limit::hit_auth(&state.db, &ip, state.config.auth_per_minute).await?;
    let (email, password) = credentials(&body)?;
    let user = users::register(&state.db, &email, &password, state.config.signup_credits, false).await?;
    let token = tokens::create(&state.db, &user.id).await?;
    let body = Registered { token, email: user.email, credit_balance: user.credit_balance };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A new API key for an existing account.
#[utoipa::path(post, path = "/api/auth/token/", tag = "account",
    request_body(content = Credentials, content_type = "application/json"),
    responses(
        (status = 200, body = TokenJson),
        (status = 400, body = ErrorBody, content_type = ERR),
        (status = 401, description = "Wrong email or password", body = ErrorBody, content_type = ERR),
        (status = 429, body = ErrorBody, content_type = ERR),
    ))]
pub async fn token(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> Result<Json<TokenJson>, AppError> {
    rate_limit::hit_auth(&state.db, &ip, state.config.auth_per_minute).await?;
    let (email, password) = credentials(&body)?;
    let user = users::authenticate(&state.db, &email, &password).await?;
    let token = tokens::create(&state.db, &user.id).await?;
    Ok(Json(TokenJson { token }))
}

/// The caller's email and credit balance.
#[utoipa::path(get, path = "/api/account/", tag = "account", security(("token" = [])),
    responses((status = 200, body = AccountJson), (status = 401, body = ErrorBody, content_type = ERR)))]
pub async fn account(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<AccountJson>, AppError> {
    // Re-read: the cached token user may predate a debit or refund.
    let fresh = users::by_id(&state.db, &user.id).await?.ok_or(AppError::Unauthorized)?;
    let notify_email = email::opted_in(&state.db, &user.id).await?;
    Ok(Json(AccountJson { email: fresh.email, credit_balance: fresh.credit_balance, notify_email }))
}

#[utoipa::path(patch, path = "/api/account/", tag = "account", security(("token" = [])),
    request_body(content = AccountPatch, content_type = "application/json"),
    responses(
        (status = 200, body = AccountJson),
        (status = 400, description = "Unknown key or not a boolean (named in `fields`)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
    ))]
pub async fn update_account(State(state): State<AppState>, ApiUser(user): ApiUser, body: Bytes) -> Result<Json<AccountJson>, AppError> {
    let enabled = account_patch(&body)?;
    email::set_opt_in(&state.db, &user.id, enabled).await?;
    account(State(state), ApiUser(user)).await
}

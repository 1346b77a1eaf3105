//! Accounts and API keys: register, get a key, read and change the account.

use super::body::{checked, json_object, request};
use crate::api::extract::{ApiUser, ClientIp};
use crate::api::types::{
    AccountJson, AccountPatch, Credentials, ErrorBody, PasswordResetConfirm, PasswordResetRequest, Registered, Sent, TokenJson, TokenList, TokenRequest,
    ERR,
};
use crate::errors::AppError;
use crate::server::accounts::signup::{self, SignUp};
use crate::server::accounts::{reset, sessions, tokens, users, verification};
use crate::server::delivery::email;
use crate::server::platform::rate_limit;
use crate::server::platform::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/register/", post(register))
        .route("/api/auth/token/", post(token))
        .route("/api/auth/password-reset/", post(request_password_reset))
        .route("/api/auth/password-reset/confirm/", post(confirm_password_reset))
        .route("/api/account/", get(account).patch(update_account))
        .route("/api/account/verification/", post(resend_verification))
        .route("/api/account/tokens/", get(list_tokens))
        .route("/api/account/tokens/{id}/", delete(revoke_token))
        .route("/verify-email", get(verify_email))
}

/// Creates an account and its first API key. The account has no credits until its address is
/// confirmed through the link we email (`email_verified` says so); then it gets the sign-up
/// credits.
#[utoipa::path(post, path = "/api/auth/register/", tag = "account",
    request_body(content = Credentials, content_type = "application/json"),
    responses(
        (status = 201, body = Registered),
        (status = 400, description = "A field is missing or invalid, or the email is taken", body = ErrorBody, content_type = ERR),
        (status = 429, description = "Too many attempts or sign-ups from this address", body = ErrorBody, content_type = ERR),
    ))]
pub async fn register(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> Result<Response, AppError> {
    signup::limit(&state, &ip).await?;
    let (email, password) = checked(&json_object(&body)?, |_| None, |c: Credentials| c.validate())?;
    let user = match signup::sign_up(&state, &email, &password).await? {
        SignUp::Created(user) => user,
        SignUp::Taken => return Err(AppError::invalid_field("email", "is already registered")),
    };
    let (token, _) = tokens::create(&state.db, &user.id, "Created at sign-up").await?;
    let body = Registered { token, email: user.email, credit_balance: user.credit_balance, email_verified: false };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(serde::Deserialize)]
pub struct VerifyQuery {
    token: Option<String>,
}

/// The link in the verification email: confirms the address (granting the sign-up credits once)
/// and says what happened. Its first use signs in the browser the sign-up was made in (it holds
/// `verification::BROWSER_COOKIE`), landing on the gallery. Anywhere else the address is
/// confirmed and the sign-in page asks for the password: a link alone must not put a browser
/// into an account (someone could send theirs to a stranger), nor switch a signed-in browser to
/// another one. A used link signs nobody in.
pub async fn verify_email(State(state): State<AppState>, headers: HeaderMap, Query(query): Query<VerifyQuery>) -> Result<Response, AppError> {
    let outcome = match query.token.as_deref() {
        Some(token) => verification::confirm(&state, token).await?,
        None => verification::Confirmation::Invalid,
    };
    let verification::Confirmation::Confirmed { user_id, email, .. } = &outcome else {
        return Ok(Redirect::to(&format!("/?email={}", outcome.as_str())).into_response());
    };
    if let Some(current) = crate::api::extract::session_user(&state, &headers).await? {
        let notice = if current.id == *user_id { "confirmed" } else { "confirmed-elsewhere" };
        return Ok(Redirect::to(&format!("/?email={notice}")).into_response());
    }
    let signed_up_here = crate::api::extract::cookie(&headers, verification::BROWSER_COOKIE)
        .is_some_and(|value| verification::browser_signed_up(&state.signer, value, email, crate::server::platform::db::now_ms()));
    if !signed_up_here {
        return Ok(Redirect::to("/signin?email=confirmed").into_response());
    }
    let token = sessions::create(&state.db, user_id).await?;
    let mut response = Redirect::to("/?email=confirmed").into_response();
    let cookies = [sessions::cookie(&token, state.config.cookie_secure()), verification::clearing_browser_cookie()];
    for cookie in cookies.iter().filter_map(|c| HeaderValue::from_str(c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Emails a link to choose a new password, if an account uses the address. The answer is the
/// same whether or not one does. The link works once, for 30 minutes; at most three are sent to
/// an address per hour, and ten asked for per client.
#[utoipa::path(post, path = "/api/auth/password-reset/", tag = "account",
    request_body(content = PasswordResetRequest, content_type = "application/json"),
    responses(
        (status = 202, description = "Accepted: a link is on its way if an account uses the address", body = Sent),
        (status = 400, description = "`email` is missing or not an address", body = ErrorBody, content_type = ERR),
        (status = 429, description = "Too many requests from this client or for this address", body = ErrorBody, content_type = ERR),
    ))]
pub async fn request_password_reset(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> Result<Response, AppError> {
    let email = checked(&json_object(&body)?, |_| None, |r: PasswordResetRequest| r.validate())?;
    reset::request(&state, &ip, &email).await?;
    Ok((StatusCode::ACCEPTED, Json(Sent { sent: true })).into_response())
}

/// Sets a new password with the `token` from the emailed link (its `token` query parameter).
/// Every browser session of the account ends and its API keys are revoked.
#[utoipa::path(post, path = "/api/auth/password-reset/confirm/", tag = "account",
    request_body(content = PasswordResetConfirm, content_type = "application/json"),
    responses(
        (status = 204, description = "The password is changed"),
        (status = 400, description = "The link is used, expired or not valid (`fields.token`), or the password breaks the policy (`fields.password`)", body = ErrorBody, content_type = ERR),
        (status = 429, body = ErrorBody, content_type = ERR),
    ))]
pub async fn confirm_password_reset(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> Result<StatusCode, AppError> {
    let (token, password) = checked(&json_object(&body)?, |_| None, |r: PasswordResetConfirm| r.validate())?;
    reset::confirm(&state, &ip, &token, &password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a new verification link to the caller's address (three an hour at most).
#[utoipa::path(post, path = "/api/account/verification/", tag = "account", security(("token" = [])),
    responses(
        (status = 202, body = Sent),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 409, description = "The address is already confirmed", body = ErrorBody, content_type = ERR),
        (status = 429, body = ErrorBody, content_type = ERR),
    ))]
pub async fn resend_verification(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Response, AppError> {
    let fresh = users::by_id(&state.db, &user.id).await?.ok_or(AppError::Unauthorized)?;
    verification::resend(&state, &fresh).await?;
    Ok((StatusCode::ACCEPTED, Json(Sent { sent: true })).into_response())
}

/// A new API key for an existing account, each call (earlier keys keep working until revoked).
#[utoipa::path(post, path = "/api/auth/token/", tag = "account",
    request_body(content = TokenRequest, content_type = "application/json"),
    responses(
        (status = 200, body = TokenJson),
        (status = 400, body = ErrorBody, content_type = ERR),
        (status = 401, description = "Wrong email or password", body = ErrorBody, content_type = ERR),
        (status = 429, body = ErrorBody, content_type = ERR),
    ))]
pub async fn token(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> Result<Json<TokenJson>, AppError> {
    rate_limit::hit_auth(&state.db, &ip, state.config.auth_per_minute).await?;
    let request: TokenRequest = request(&json_object(&body)?)?;
    let (email, password) = request.credentials.validate().map_err(AppError::invalid)?;
    let name = tokens::checked_name(request.name.as_deref())?;
    let user = users::authenticate(&state.db, &email, &password).await?;
    let (token, view) = tokens::create(&state.db, &user.id, &name).await?;
    Ok(Json(TokenJson { token, id: view.id, name: view.name }))
}

/// The caller's API keys: names, when made and last used (never the keys themselves).
#[utoipa::path(get, path = "/api/account/tokens/", tag = "account", security(("token" = [])),
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody, content_type = ERR)))]
pub async fn list_tokens(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<TokenList>, AppError> {
    Ok(Json(TokenList { tokens: tokens::list(&state.db, &user.id).await? }))
}

/// Revokes one of the caller's API keys (it may be the one making this request).
#[utoipa::path(delete, path = "/api/account/tokens/{id}/", tag = "account", security(("token" = [])),
    params(("id" = String, Path, description = "The key's id, from the list")),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody, content_type = ERR), (status = 404, body = ErrorBody, content_type = ERR)))]
pub async fn revoke_token(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>) -> Result<StatusCode, AppError> {
    if !tokens::revoke(&state.db, &user.id, &id).await? {
        return Err(AppError::NotFound);
    }
    state.tokens.forget_user(&user.id);
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's email and credit balance.
#[utoipa::path(get, path = "/api/account/", tag = "account", security(("token" = [])),
    responses((status = 200, body = AccountJson), (status = 401, body = ErrorBody, content_type = ERR)))]
pub async fn account(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<AccountJson>, AppError> {
    // Re-read: the cached token user may predate a debit or refund.
    let fresh = users::by_id(&state.db, &user.id).await?.ok_or(AppError::Unauthorized)?;
    let notify_email = email::opted_in(&state.db, &user.id).await?;
    let auto_fix = crate::server::proofread::repo::auto_fix(&state.db, &user.id).await?;
    Ok(Json(AccountJson {
        email_verified: fresh.verified(),
        email: fresh.email,
        credit_balance: fresh.credit_balance,
        notify_email,
        auto_fix,
    }))
}

#[utoipa::path(patch, path = "/api/account/", tag = "account", security(("token" = [])),
    request_body(content = AccountPatch, content_type = "application/json"),
    responses(
        (status = 200, body = AccountJson),
        (status = 400, description = "Unknown key or not a boolean (named in `fields`)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
    ))]
pub async fn update_account(State(state): State<AppState>, ApiUser(user): ApiUser, body: Bytes) -> Result<Json<AccountJson>, AppError> {
    let change = checked(&json_object(&body)?, |_| Some("is not a setting that can be changed"), |p: AccountPatch| p.validate())?;
    if let Some(enabled) = change.notify_email {
        email::set_opt_in(&state.db, &user.id, enabled).await?;
    }
    if let Some(enabled) = change.auto_fix {
        crate::server::proofread::repo::set_auto_fix(&state.db, &user.id, enabled).await?;
    }
    account(State(state), ApiUser(user)).await
}

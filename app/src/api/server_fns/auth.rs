//! Sign-up, sign-in, password reset, sign-out and "who am I" for the browser (session cookie).

use crate::errors::AppError;
use crate::model::AccountView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn start_session(state: &crate::server::platform::state::AppState, user_id: &str) -> Result<(), AppError> {
    use crate::server::accounts::sessions;
    let token = sessions::create(&state.db, user_id).await?;
    super::context::set_cookie(sessions::cookie(&token, state.config.cookie_secure()));
    Ok(())
}

/// Creates an account and emails its confirmation link. The answer is the same whether or not
/// the address already had an account (its owner gets an email instead), so the form cannot be
/// used to find out who has one; nobody is signed in by it, but the link, followed in this
/// browser, signs it in (`verification::BROWSER_COOKIE`). Returns the address written to.
#[server(prefix = "/sfn", endpoint = "sign_up", output = super::codec::Json)]
pub async fn sign_up(email: String, password: String) -> Result<String, AppError> {
    use crate::server::accounts::{signup, users};
    let state = super::context::app_state()?;
    signup::limit(&state, &super::context::client_ip(&state)?).await?;
    signup::sign_up(&state, &email, &password).await?;
    let address = users::normalize_email(&email)?;
    // Left whether or not the address was new (the answer must not tell): it only lets this
    // browser be signed in by that address's own confirmation link.
    let now = crate::server::platform::db::now_ms();
    super::context::set_cookie(crate::server::accounts::verification::browser_cookie(&state.signer, &address, now, state.config.cookie_secure()));
    Ok(address)
}

/// Sends a new confirmation link to the signed-in user's address.
#[server(prefix = "/sfn", endpoint = "resend_verification", output = super::codec::Json)]
pub async fn resend_verification() -> Result<(), AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::accounts::verification::resend(&state, &user).await
}

#[server(prefix = "/sfn", endpoint = "sign_in", output = super::codec::Json)]
pub async fn sign_in(email: String, password: String) -> Result<AccountView, AppError> {
    use crate::server::accounts::users;
    let state = super::context::app_state()?;
    let ip = super::context::client_ip(&state)?;
    crate::server::platform::rate_limit::hit_auth(&state.db, &ip, state.config.auth_per_minute).await?;
    let user = users::authenticate(&state.db, &email, &password).await?;
    start_session(&state, &user.id).await?;
    Ok(user.account_view())
}

/// Emails a link to choose a new password, if an account uses `email`: the answer (the address
/// written to) is the same either way. Limited per client and per address.
#[server(prefix = "/sfn", endpoint = "request_password_reset", output = super::codec::Json)]
pub async fn request_password_reset(email: String) -> Result<String, AppError> {
    let state = super::context::app_state()?;
    crate::server::accounts::reset::request(&state, &super::context::client_ip(&state)?, &email).await
}

/// The address whose password a reset link sets, while the link works (the page says so before
/// a password is typed; the link's holder came through that address); an error naming `token`
/// when it does not. Changes nothing.
#[server(prefix = "/sfn", endpoint = "check_password_reset", output = super::codec::Json)]
pub async fn check_password_reset(token: String) -> Result<String, AppError> {
    let state = super::context::app_state()?;
    Ok(crate::server::accounts::reset::holder(&state, &token).await?.email)
}

/// Sets a new password through a reset link. Every session of the account ends, and this
/// browser is signed in afresh.
#[server(prefix = "/sfn", endpoint = "reset_password", output = super::codec::Json)]
pub async fn reset_password(token: String, password: String) -> Result<AccountView, AppError> {
    let state = super::context::app_state()?;
    let ip = super::context::client_ip(&state)?;
    let user = crate::server::accounts::reset::confirm(&state, &ip, &token, &password).await?;
    start_session(&state, &user.id).await?;
    Ok(user.account_view())
}

#[server(prefix = "/sfn", endpoint = "sign_out", output = super::codec::Json)]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::accounts::sessions;
    let state = super::context::app_state()?;
    if let Some(token) = super::context::session_token() {
        sessions::delete(&state.db, &token).await?;
    }
    super::context::set_cookie(sessions::clearing_cookie());
    // The form's unsent work is kept in the browser's storage (`components::form_draft`): gone
    // with the session, so the next person at a shared computer cannot read it.
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(axum::http::HeaderName::from_static("clear-site-data"), axum::http::HeaderValue::from_static("\"storage\""));
    }
    // The header's plain form posts here: home, signed out.
    leptos_axum::redirect("/");
    Ok(())
}

/// The signed-in account, or `None` for a visitor.
#[server(prefix = "/sfn", endpoint = "get_account", output = super::codec::Json)]
pub async fn get_account() -> Result<Option<AccountView>, AppError> {
    let state = super::context::app_state()?;
    Ok(super::context::optional_user(&state).await?.as_ref().map(|u| u.account_view()))
}

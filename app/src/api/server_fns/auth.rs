//! Sign-up, sign-in, sign-out and "who am I" for the browser (session cookie).

use crate::errors::AppError;
use crate::model::AccountView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn start_session(state: &crate::server::platform::state::AppState, user_id: &str) -> Result<(), AppError> {
    use crate::server::accounts::sessions;
    let token = sessions::create(&state.db, user_id).await?;
    let secure = state.public_base_url.starts_with("https://");
    super::context::set_cookie(sessions::cookie(&token, secure));
    Ok(())
}

#[cfg(feature = "ssr")]
async fn limit_auth(state: &crate::server::platform::state::AppState) -> Result<(), AppError> {
    let ip = super::context::client_ip(state)?;
    crate::server::billing::rate_limit::hit_auth(&state.db, &ip, state.config.auth_per_minute).await
}

#[server(prefix = "/sfn", endpoint = "sign_up")]
pub async fn sign_up(email: String, password: String) -> Result<AccountView, AppError> {
    use crate::server::accounts::users;
    let state = super::context::app_state()?;
    limit_auth(&state).await?;
    let user = users::register(&state.db, &email, &password, state.config.signup_credits, false).await?;
    start_session(&state, &user.id).await?;
    Ok(user.account_view())
}

#[server(prefix = "/sfn", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<AccountView, AppError> {
    use crate::server::accounts::users;
    let state = super::context::app_state()?;
    limit_auth(&state).await?;
    let user = users::authenticate(&state.db, &email, &password).await?;
    start_session(&state, &user.id).await?;
    Ok(user.account_view())
}

#[server(prefix = "/sfn", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::accounts::sessions;
    let state = super::context::app_state()?;
    if let Some(token) = super::context::session_token() {
        sessions::delete(&state.db, &token).await?;
    }
    super::context::set_cookie(sessions::clearing_cookie());
    Ok(())
}

/// The signed-in account, or `None` for a visitor.
#[server(prefix = "/sfn", endpoint = "get_account")]
pub async fn get_account() -> Result<Option<AccountView>, AppError> {
    let state = super::context::app_state()?;
    Ok(super::context::optional_user(&state).await?.as_ref().map(|u| u.account_view()))
}

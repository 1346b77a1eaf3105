//! Sign-up, sign-in, sign-out and "who am I" for the browser (session cookie).

use crate::errors::AppError;
use crate::model::AccountView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn start_session(state: &crate::server::state::AppState, user_id: &str) -> Result<(), AppError> {
    use crate::server::auth;
    let token = auth::create_session(&state.db, user_id).await?;
    let secure = state.public_base_url.starts_with("https://");
    super::context::set_cookie(auth::session_cookie(&token, secure));
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "sign_up")]
pub async fn sign_up(email: String, password: String) -> Result<AccountView, AppError> {
    use crate::server::service;
    let state = super::context::app_state()?;
    service::limit_auth(&state, &super::context::client_ip(&state)).await?;
    let user = service::register(&state, &email, &password).await?;
    start_session(&state, &user.id).await?;
    Ok(service::account_view(&user))
}

#[server(prefix = "/sfn", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<AccountView, AppError> {
    use crate::server::{auth, service};
    let state = super::context::app_state()?;
    service::limit_auth(&state, &super::context::client_ip(&state)).await?;
    let user = auth::authenticate(&state.db, &email, &password).await?;
    start_session(&state, &user.id).await?;
    Ok(service::account_view(&user))
}

#[server(prefix = "/sfn", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::auth;
    let state = super::context::app_state()?;
    if let Some(token) = super::context::session_token() {
        auth::delete_session(&state.db, &token).await?;
    }
    super::context::set_cookie(auth::clear_session_cookie());
    Ok(())
}

/// The signed-in account, or `None` for a visitor.
#[server(prefix = "/sfn", endpoint = "get_account")]
pub async fn get_account() -> Result<Option<AccountView>, AppError> {
    use crate::server::service;
    let state = super::context::app_state()?;
    Ok(super::context::optional_user(&state).await?.as_ref().map(service::account_view))
}

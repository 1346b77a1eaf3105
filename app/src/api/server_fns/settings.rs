//! Account settings for the browser: job notification emails (opt-in, off by default) and
//! "fix automatically" (proofreading; off by default).

use crate::errors::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub email: String,
    pub notify_email: bool,
    /// When a proofread finds problems, ask for the picture's free fix on its own.
    #[serde(default)]
    pub auto_fix: bool,
}

#[cfg(feature = "ssr")]
async fn settings_of(
    state: &crate::server::platform::state::AppState,
    user: &crate::server::accounts::users::UserRow,
) -> Result<SettingsView, AppError> {
    let notify_email = crate::server::delivery::email::opted_in(&state.db, &user.id).await?;
    let auto_fix = crate::server::proofread::repo::auto_fix(&state.db, &user.id).await?;
    Ok(SettingsView { email: user.email.clone(), notify_email, auto_fix })
}

#[server(prefix = "/sfn", endpoint = "get_settings", output = super::codec::Json)]
pub async fn get_settings() -> Result<SettingsView, AppError> {
    let (state, user) = super::context::require_user().await?;
    settings_of(&state, &user).await
}

/// A form's `"true"` or `"false"`; anything else is refused, naming the field.
#[cfg(feature = "ssr")]
fn switch(enabled: &str) -> Result<bool, AppError> {
    match enabled {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(AppError::invalid_field("enabled", "must be true or false")),
    }
}

#[server(prefix = "/sfn", endpoint = "set_notify_email", output = super::codec::Json)]
pub async fn set_notify_email(enabled: String) -> Result<SettingsView, AppError> {
    let enabled = switch(&enabled)?;
    let (state, user) = super::context::require_user().await?;
    crate::server::delivery::email::set_opt_in(&state.db, &user.id, enabled).await?;
    settings_of(&state, &user).await
}

#[server(prefix = "/sfn", endpoint = "set_auto_fix", output = super::codec::Json)]
pub async fn set_auto_fix(enabled: String) -> Result<SettingsView, AppError> {
    let enabled = switch(&enabled)?;
    let (state, user) = super::context::require_user().await?;
    crate::server::proofread::repo::set_auto_fix(&state.db, &user.id, enabled).await?;
    settings_of(&state, &user).await
}

/// A token just made: its secret (shown this once) and its line in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub token: String,
    pub view: crate::model::ApiTokenView,
}

#[server(prefix = "/sfn", endpoint = "list_api_tokens", output = super::codec::Json)]
pub async fn list_api_tokens() -> Result<Vec<crate::model::ApiTokenView>, AppError> {
    let (state, user) = super::context::require_user().await?;
    Ok(crate::server::accounts::tokens::list(&state.db, &user.id).await?)
}

#[server(prefix = "/sfn", endpoint = "create_api_token", output = super::codec::Json)]
pub async fn create_api_token(name: String) -> Result<NewApiToken, AppError> {
    use crate::server::accounts::tokens;
    let (state, user) = super::context::require_user().await?;
    let name = tokens::checked_name(Some(&name))?;
    let (token, view) = tokens::create(&state.db, &user.id, &name).await?;
    Ok(NewApiToken { token, view })
}

#[server(prefix = "/sfn", endpoint = "revoke_api_token", output = super::codec::Json)]
pub async fn revoke_api_token(id: String) -> Result<(), AppError> {
    let (state, user) = super::context::require_user().await?;
    if !crate::server::accounts::tokens::revoke(&state.db, &user.id, &id).await? {
        return Err(AppError::NotFound);
    }
    state.tokens.forget_user(&user.id);
    Ok(())
}

/// Ends every browser session of the account, this one included (API tokens are revoked one
/// by one above).
#[server(prefix = "/sfn", endpoint = "sign_out_everywhere", output = super::codec::Json)]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::server::accounts::sessions;
    let (state, user) = super::context::require_user().await?;
    sessions::delete_all(&state.db, &user.id).await?;
    super::context::set_cookie(sessions::clearing_cookie());
    // The settings page's plain form posts here: home, signed out.
    leptos_axum::redirect("/");
    Ok(())
}

//! Account settings for the browser: job notification emails (opt-in, off by default).

use crate::errors::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub email: String,
    pub notify_email: bool,
}

#[cfg(feature = "ssr")]
async fn settings_of(
    state: &crate::server::platform::state::AppState,
    user: &crate::server::accounts::users::UserRow,
) -> Result<SettingsView, AppError> {
    let notify_email = crate::server::delivery::email::opted_in(&state.db, &user.id).await?;
    Ok(SettingsView { email: user.email.clone(), notify_email })
}

#[server(prefix = "/sfn", endpoint = "get_settings")]
pub async fn get_settings() -> Result<SettingsView, AppError> {
    let (state, user) = super::context::require_user().await?;
    settings_of(&state, &user).await
}

/// `enabled` is `"true"` or `"false"` (a form field); anything else is refused, naming the field.
#[server(prefix = "/sfn", endpoint = "set_notify_email")]
pub async fn set_notify_email(enabled: String) -> Result<SettingsView, AppError> {
    let enabled = match enabled.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::invalid_field("enabled", "must be true or false")),
    };
    let (state, user) = super::context::require_user().await?;
    crate::server::delivery::email::set_opt_in(&state.db, &user.id, enabled).await?;
    settings_of(&state, &user).await
}

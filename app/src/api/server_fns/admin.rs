//! Server functions of the admin dashboard. Each one checks, on the server, that the caller is an
//! admin; anyone else gets `NotFound`, as for a page that does not exist.

use crate::errors::AppError;
use crate::model::admin::{AdminJobsPage, AdminStats, AdminUsersPage, LedgerEntry};
use crate::model::InfographView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn require_admin() -> Result<(crate::server::platform::state::AppState, crate::server::accounts::users::UserRow), AppError> {
    let (state, user) = super::context::require_user().await.map_err(|_| AppError::NotFound)?;
    crate::server::admin::require_admin(&user)?;
    Ok((state, user))
}

#[server(prefix = "/sfn", endpoint = "admin_overview", output = super::codec::Json)]
pub async fn admin_overview() -> Result<AdminStats, AppError> {
    let (state, _) = require_admin().await?;
    crate::server::admin::overview(&state.db).await
}

#[server(prefix = "/sfn", endpoint = "admin_jobs", output = super::codec::Json)]
pub async fn admin_jobs(
    status: Option<String>,
    user: Option<String>,
    from: Option<String>,
    to: Option<String>,
    q: Option<String>,
    page: Option<i64>,
) -> Result<AdminJobsPage, AppError> {
    let filter = crate::model::admin::JobFilter { status, user, from, to, q, page };
    let (state, _) = require_admin().await?;
    crate::server::admin::jobs(&state.db, &filter).await
}

#[server(prefix = "/sfn", endpoint = "admin_users", output = super::codec::Json)]
pub async fn admin_users(search: String, page: i64) -> Result<AdminUsersPage, AppError> {
    let (state, _) = require_admin().await?;
    crate::server::admin::users(&state.db, &search, page).await
}

#[server(prefix = "/sfn", endpoint = "admin_ledger", output = super::codec::Json)]
pub async fn admin_ledger(user_id: String) -> Result<Vec<LedgerEntry>, AppError> {
    let (state, _) = require_admin().await?;
    crate::server::admin::ledger(&state.db, &user_id).await
}

/// Grants (positive) or removes (negative) credits; returns the new balance.
#[server(prefix = "/sfn", endpoint = "admin_adjust_credits", output = super::codec::Json)]
pub async fn admin_adjust_credits(user_id: String, amount: i64) -> Result<i64, AppError> {
    let (state, admin) = require_admin().await?;
    crate::server::admin::adjust_credits(&state, &admin, &user_id, amount).await
}

/// Re-runs a failed job for its owner; returns the new infograph ids.
#[server(prefix = "/sfn", endpoint = "admin_retry", output = super::codec::Json)]
pub async fn admin_retry(id: String) -> Result<Vec<String>, AppError> {
    let (state, admin) = require_admin().await?;
    crate::server::admin::retry(&state, &admin, &id).await
}

#[server(prefix = "/sfn", endpoint = "admin_cancel", output = super::codec::Json)]
pub async fn admin_cancel(id: String) -> Result<InfographView, AppError> {
    let (state, admin) = require_admin().await?;
    crate::server::admin::cancel(&state, &admin, &id).await
}

/// Jobs, failures, mean generation time and fal's list price per model (`server::admin::model_stats`).
#[server(prefix = "/sfn", endpoint = "admin_model_stats", output = super::codec::Json)]
pub async fn admin_model_stats() -> Result<crate::model::admin::ModelStats, AppError> {
    let (state, _) = require_admin().await?;
    crate::server::admin::model_stats::model_stats(&state.db, &state.models).await
}

#[server(prefix = "/sfn", endpoint = "admin_purchases", output = super::codec::Json)]
pub async fn admin_purchases() -> Result<crate::model::admin::AdminPurchases, AppError> {
    let (state, _) = require_admin().await?;
    crate::server::admin::purchases(&state).await
}

/// The live shares, featured first then the newest, to feature on the landing page or not.
#[server(prefix = "/sfn", endpoint = "admin_shares", output = super::codec::Json)]
pub async fn admin_shares() -> Result<Vec<crate::model::showcase::AdminShare>, AppError> {
    let (state, _) = require_admin().await?;
    crate::server::showcase::recent_shares(&state.db).await
}

/// Features the infograph's live share on the landing page.
#[server(prefix = "/sfn", endpoint = "admin_feature", output = super::codec::Json)]
pub async fn admin_feature(id: String) -> Result<(), AppError> {
    let (state, admin) = require_admin().await?;
    crate::server::showcase::feature(&state, &admin, &id).await
}

/// Takes the infograph off the landing page.
#[server(prefix = "/sfn", endpoint = "admin_unfeature", output = super::codec::Json)]
pub async fn admin_unfeature(id: String) -> Result<(), AppError> {
    let (state, admin) = require_admin().await?;
    crate::server::showcase::unfeature(&state, &admin, &id).await
}

//! Use cases shared by the server functions (browser) and the REST API: validate, authorize,
//! call the domain, shape the answer. Neither front end talks to the database directly.

use super::auth;
use super::credits;
use super::db::{self, UserRow};
use super::scrape;
use super::state::AppState;
use crate::errors::AppError;
use crate::model::{validate_create, AccountView, CreateResponse, CreatedJob, InfographView, RawCreate};

pub const LIST_LIMIT: i64 = 100;

pub fn account_view(user: &UserRow) -> AccountView {
    AccountView { email: user.email.clone(), credit_balance: user.credit_balance, is_admin: user.admin() }
}

pub async fn account(state: &AppState, user: &UserRow) -> Result<AccountView, AppError> {
    // Re-read: the caller's row may predate a debit or refund.
    let fresh = db::user_by_id(&state.db, &user.id).await?.ok_or(AppError::Unauthorized)?;
    Ok(account_view(&fresh))
}

/// Counts an authentication attempt (sign-up, sign-in, token) against the client's address.
pub async fn limit_auth(state: &AppState, client_ip: &str) -> Result<(), AppError> {
    super::ratelimit::hit(&state.db, &format!("auth:{client_ip}"), state.config.auth_per_minute).await
}

pub async fn register(state: &AppState, email: &str, password: &str) -> Result<UserRow, AppError> {
    auth::create_user(&state.db, email, password, state.config.signup_credits, false).await
}

pub fn status_url(state: &AppState, id: &str) -> String {
    format!("{}/api/infographs/status/{id}/", state.public_base_url)
}

/// Validates, charges and enqueues; answers before anything slow happens.
pub async fn create(state: &AppState, user: &UserRow, raw: &RawCreate) -> Result<CreateResponse, AppError> {
    let cmd = validate_create(raw).map_err(AppError::invalid)?;
    super::ratelimit::hit(&state.db, &format!("create:{}", user.id), state.config.create_per_minute).await?;
    if let Some(url) = &cmd.blog_url {
        scrape::check_literal(url, &state.config.fetch_policy())
            .map_err(|e| AppError::invalid_field("blog_url", format!("cannot be read: {e}")))?;
    }
    let rows = credits::charge_and_enqueue(&state.db, &user.id, &cmd).await?;
    state.worker.wake();
    let infographs: Vec<CreatedJob> = rows
        .iter()
        .map(|row| CreatedJob {
            id: row.id.clone(),
            request_id: row.fal_request_id.clone(),
            status: row.status(),
            status_url: status_url(state, &row.id),
        })
        .collect();
    Ok(CreateResponse { total_submitted: infographs.len(), credits_used: cmd.cost(), infographs })
}

pub async fn status(state: &AppState, user: &UserRow, id: &str) -> Result<InfographView, AppError> {
    let row = db::infograph_for_user(&state.db, &user.id, id).await?.ok_or(AppError::NotFound)?;
    Ok(state.eta.view(&state.db, &row).await)
}

pub async fn list(state: &AppState, user: &UserRow) -> Result<Vec<InfographView>, AppError> {
    let rows = db::infographs_for_user(&state.db, &user.id, LIST_LIMIT).await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in &rows {
        views.push(state.eta.view(&state.db, row).await);
    }
    Ok(views)
}

pub async fn brief(state: &AppState, user: &UserRow, id: &str) -> Result<Option<String>, AppError> {
    let row = db::infograph_for_user(&state.db, &user.id, id).await?.ok_or(AppError::NotFound)?;
    Ok(row.built_prompt)
}

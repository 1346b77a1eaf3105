//! Use cases shared by the server functions (browser) and the REST API: validate, authorize,
//! call the domain, shape the answer. Neither front end talks to the database directly.

use super::auth;
use super::credits;
use super::db::{self, UserRow};
use super::scrape;
use super::state::AppState;
use crate::errors::AppError;
use super::db::InfographRow;
use crate::model::{
    validate_create, AccountView, CreateCommand, CreateResponse, CreatedJob, InfographView, JobStatus, RawCreate,
};

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

/// What a create answered: new jobs, or the stored first answer to a repeated `Idempotency-Key`.
pub enum Created {
    New(CreateResponse),
    Replay { status_code: u16, body: String },
}

impl Created {
    /// The response as data (a replay is parsed back; it was written by [`create_response`]).
    pub fn into_response(self) -> Result<CreateResponse, AppError> {
        match self {
            Self::New(r) => Ok(r),
            Self::Replay { body, .. } => serde_json::from_str(&body).map_err(|e| {
                tracing::error!(error = %e, "stored idempotent response is unreadable");
                AppError::Internal
            }),
        }
    }
}

/// Checks an `Idempotency-Key` and binds it to a digest of the validated request, so the same
/// key with a different body is refused instead of silently answering for the first one.
pub fn idempotency_claim(key: &str, cmd: &CreateCommand) -> Result<credits::IdempotencyClaim, AppError> {
    let key = key.trim();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::invalid_field("Idempotency-Key", "must be 1 to 255 visible ASCII characters"));
    }
    let canonical = serde_json::json!([
        cmd.prompt,
        cmd.blog_url.as_ref().map(|u| u.as_str()),
        cmd.aspect_ratio.as_fal(),
        cmd.resolution.as_str(),
        cmd.count,
    ]);
    let digest = <sha2::Sha256 as sha2::Digest>::digest(canonical.to_string().as_bytes());
    Ok(credits::IdempotencyClaim { key: key.to_string(), request_hash: hex::encode(digest) })
}

fn create_response(state: &AppState, cost: i64, rows: &[InfographRow]) -> CreateResponse {
    let infographs: Vec<CreatedJob> = rows
        .iter()
        .map(|row| CreatedJob {
            id: row.id.clone(),
            request_id: row.fal_request_id.clone(),
            status: row.status(),
            status_url: status_url(state, &row.id),
        })
        .collect();
    CreateResponse { total_submitted: infographs.len(), credits_used: cost, infographs }
}

/// Validates, charges and enqueues; answers before anything slow happens.
pub async fn create(
    state: &AppState,
    user: &UserRow,
    raw: &RawCreate,
    idempotency_key: Option<&str>,
) -> Result<Created, AppError> {
    let cmd = validate_create(raw).map_err(AppError::invalid)?;
    let claim = idempotency_key.map(|key| idempotency_claim(key, &cmd)).transpose()?;
    if let Some(claim) = &claim {
        if let Some(credits::Enqueued::Replay { status_code, body }) =
            credits::stored_replay(&state.db, &user.id, claim).await?
        {
            return Ok(Created::Replay { status_code, body });
        }
    }
    super::ratelimit::hit(&state.db, &format!("create:{}", user.id), state.config.create_per_minute).await?;
    enqueue(state, user, &cmd, credits::Enqueue { idempotency: claim.as_ref(), ..Default::default() }).await
}

async fn enqueue(
    state: &AppState,
    owner: &UserRow,
    cmd: &CreateCommand,
    opts: credits::Enqueue<'_>,
) -> Result<Created, AppError> {
    if let Some(url) = &cmd.blog_url {
        scrape::check_literal(url, &state.config.fetch_policy())
            .map_err(|e| AppError::invalid_field("blog_url", format!("cannot be read: {e}")))?;
    }
    let cost = cmd.cost();
    let respond = |rows: &[InfographRow]| {
        let body = serde_json::to_string(&create_response(state, cost, rows)).unwrap_or_default();
        (201, body)
    };
    match credits::charge_and_enqueue(&state.db, &owner.id, cmd, opts, respond).await? {
        credits::Enqueued::New(rows) => {
            state.worker.wake();
            Ok(Created::New(create_response(state, cost, &rows)))
        }
        credits::Enqueued::Replay { status_code, body } => Ok(Created::Replay { status_code, body }),
    }
}

/// The settings an infograph was made with, as a create request for one more image.
fn same_settings(row: &InfographRow) -> RawCreate {
    RawCreate {
        prompt: Some(row.user_prompt.clone()),
        blog_url: row.blog_url.clone(),
        aspect_ratio: Some(row.aspect_ratio.clone()),
        resolution: Some(row.resolution.clone()),
        number_of_infographs: Some("1".into()),
    }
}

/// A new infograph with the same settings as `id`, charged to its owner like any create.
pub async fn regenerate(state: &AppState, owner: &UserRow, id: &str) -> Result<Created, AppError> {
    let row = db::infograph_for_user(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)?;
    regenerate_as(state, owner, &row, &owner.id, None).await
}

/// [`regenerate`] on behalf of `actor` (the owner, or an admin retrying a failed job; an
/// admin's retry does not count against the owner's create rate limit).
/// `once_key`: an idempotency key making repeats of this regeneration (a double click, two
/// admins) answer the first one instead of charging again.
pub async fn regenerate_as(
    state: &AppState,
    owner: &UserRow,
    row: &InfographRow,
    actor: &str,
    once_key: Option<&str>,
) -> Result<Created, AppError> {
    let cmd = validate_create(&same_settings(row)).map_err(AppError::invalid)?;
    let claim = once_key.map(|key| idempotency_claim(key, &cmd)).transpose()?;
    if actor == owner.id {
        super::ratelimit::hit(&state.db, &format!("create:{}", owner.id), state.config.create_per_minute).await?;
    }
    let opts = credits::Enqueue { actor: Some(actor), regenerated_from: Some(&row.id), idempotency: claim.as_ref() };
    enqueue(state, owner, &cmd, opts).await
}

/// Cancels the owner's job (see [`cancel_job`]).
pub async fn cancel(state: &AppState, owner_id: &str, id: &str) -> Result<InfographView, AppError> {
    let row = db::infograph_by_id(&state.db, id)
        .await?
        .filter(|r| r.user_id == owner_id && r.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    cancel_job(state, &row).await
}

/// Not yet handed to fal: failed and refunded at once. At fal: fal is asked to cancel; a job
/// still in fal's queue then ends (failed, refunded) through its webhook, one already generating
/// ends as whatever fal reports.
pub async fn cancel_job(state: &AppState, row: &InfographRow) -> Result<InfographView, AppError> {
    let id = row.id.as_str();
    if row.status().is_final() {
        return Err(AppError::Conflict(format!("this infograph has already {}", row.status())));
    }
    if row.status() == JobStatus::Queued
        && row.submit_started_at.is_none()
        && super::jobs::cancel_unsubmitted(state, id).await?
    {
        return reload(state, id).await;
    }
    let row = db::infograph_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if row.status().is_final() {
        return Ok(row.view());
    }
    let Some(cancel_url) = row.fal_cancel_url.clone().filter(|_| row.status() == JobStatus::Processing) else {
        return Err(AppError::Conflict("the job is being handed to fal right now; try again in a moment".into()));
    };
    if row.cancel_requested_at.is_some() {
        return Ok(row.view());
    }
    if super::jobs::mark_cancel_requested(&state.db, id, true).await? {
        if let Err(err) = state.fal.cancel(&cancel_url).await {
            tracing::warn!(infograph = id, error = %err, "fal did not take the cancel request");
            // Not requested after all: the job stays cancellable, so the user can try again.
            super::jobs::mark_cancel_requested(&state.db, id, false).await?;
            return Err(AppError::Transport("fal did not take the cancel request; please try again".into()));
        }
        state.events.job_changed(id).await;
    }
    reload(state, id).await
}

async fn reload(state: &AppState, id: &str) -> Result<InfographView, AppError> {
    Ok(db::infograph_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?.view())
}

/// Hides an infograph from its owner's gallery and API. The ledger keeps its rows; a job still
/// running goes on, and is charged or refunded as usual.
pub async fn delete(state: &AppState, owner: &UserRow, id: &str) -> Result<(), AppError> {
    if db::hide_infograph(&state.db, &owner.id, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
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

static FALLBACK_DOWNLOADS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// An image to hand to the browser as a file.
pub struct Download {
    pub content_type: &'static str,
    pub file_name: String,
    pub body: axum::body::Body,
}

/// The owner's finished image with a file name made from its prompt: streamed from our storage
/// once copied; before that, fetched from fal's URL under the same rules as the copier.
pub async fn download(state: &AppState, owner: &UserRow, id: &str) -> Result<Download, AppError> {
    use super::storage;
    let row = db::infograph_for_user(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)?;
    let url = row
        .image_url
        .as_deref()
        .filter(|_| row.status() == JobStatus::Completed)
        .ok_or_else(|| AppError::Conflict("this infograph has no image yet".into()))?;
    let (content_type, body) = match storage::stored_image_key(&state.db, &row.id).await? {
        Some(key) => {
            let (_, stream) = storage::open_object(&state.storage, &key).await.map_err(|e| {
                tracing::error!(infograph = %row.id, error = %e, "a stored image could not be read");
                AppError::Internal
            })?;
            let ext = key.rsplit('.').next().unwrap_or_default();
            (storage::content_type_of(ext), axum::body::Body::from_stream(stream))
        }
        None => {
            let unavailable = |e: String| {
                tracing::warn!(infograph = %row.id, error = %e, "could not fetch an image for download");
                AppError::Transport("the image could not be fetched; try again later".into())
            };
            // Each of these buffers a whole image: a few at a time per instance, so parallel
            // downloads cannot exhaust memory (the stored copy, the normal case, is streamed).
            let _slot = FALLBACK_DOWNLOADS.acquire().await.map_err(|_| AppError::Internal)?;
            let policy = state.config.fetch_policy();
            let bytes = storage::fetch_image(&state.storage, url, &policy, state.config.storage.max_bytes)
                .await
                .map_err(unavailable)?;
            let inspected = storage::inspect(&bytes).map_err(unavailable)?;
            (inspected.content_type(), axum::body::Body::from(bytes))
        }
    };
    let ext = match content_type {
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "png",
    };
    Ok(Download { content_type, file_name: download_name(&row.user_prompt, &row.id, ext), body })
}

/// `infograph-<prompt words>-<id prefix>.<ext>`: readable in a downloads folder, safe in a
/// `Content-Disposition` header (ASCII letters, digits and dashes only), unique per infograph.
pub fn download_name(prompt: &str, id: &str, ext: &str) -> String {
    let mut slug = String::new();
    for word in prompt.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if slug.len() + word.len() > 48 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    let short: String = id.chars().filter(char::is_ascii_alphanumeric).take(8).collect();
    match slug.is_empty() {
        true => format!("infograph-{short}.{ext}"),
        false => format!("infograph-{slug}-{short}.{ext}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_safe_and_readable() {
        assert_eq!(
            download_name("Q3 sales: \"growth\" / résumé!", "0a1b2c3d-4e5f", "png"),
            "infograph-q3-sales-growth-r-sum-0a1b2c3d.png"
        );
        assert_eq!(download_name("日本語", "abc", "jpg"), "infograph-abc.jpg");
        let long = download_name(&"word ".repeat(100), "id", "png");
        assert!(long.len() < 70, "{long}");
    }
}

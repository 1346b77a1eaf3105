//! fal's webhook, as a use case: the signature is verified over the raw body before anything is
//! parsed, the signed user id must be our fal account (when configured), the body must be about this job's fal request (adopting it when the submission was
//! never recorded), and the outcome is applied once. Duplicates change nothing.

use super::lifecycle;
use super::outcome::Outcome;
use super::repo;
use crate::server::fal::signature::{SignedHeaders, VerifyError};
use crate::server::platform::metrics;
use crate::server::platform::state::AppState;
use http::HeaderMap;
use serde_json::Value;

/// Why a webhook was refused: fal reads only the status; the message helps whoever debugs it.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("invalid signature: {0}")]
    Signature(#[from] VerifyError),
    /// Validly signed by fal, but for another fal account (fal signs every customer's webhooks
    /// with the same keys).
    #[error("the webhook was signed for another fal account")]
    OtherAccount,
    #[error("invalid body: {0}")]
    Body(String),
    #[error("unknown infograph")]
    UnknownJob,
    #[error("the job has not been submitted yet; retry later")]
    NotReady,
    #[error("internal error")]
    Internal,
}

impl WebhookError {
    /// The refusal's name in the metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Signature(_) => "signature",
            Self::OtherAccount => "other_account",
            Self::Body(_) => "body",
            Self::UnknownJob => "unknown_job",
            Self::NotReady => "not_ready",
            Self::Internal => "internal",
        }
    }
}

/// Counts a delivery of `kind` (`picture`, `proofread`) as accepted or refused, and passes it on.
pub fn counted<T>(kind: &'static str, received: Result<T, WebhookError>) -> Result<T, WebhookError> {
    metrics::webhook(kind, received.as_ref().err().map(WebhookError::reason));
    received
}

impl From<sqlx::Error> for WebhookError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error in webhook");
        Self::Internal
    }
}

/// A delivery whose signature, account and request id have been checked: the body, parsed.
pub struct Verified {
    pub json: Value,
    pub request_id: String,
}

/// Verifies a delivery from fal (the signature over the raw body, before anything is parsed;
/// our fal account; the body's request id is the signed one). Shared by every webhook fal
/// sends us: a picture's and its proofread's.
pub async fn verify(state: &AppState, about: &str, headers: &HeaderMap, body: &[u8]) -> Result<Verified, WebhookError> {
    let signed = SignedHeaders::from_headers(headers)?;
    state.jwks.verify(&signed, body).await?;
    // The user id is part of the signed message, so after verification it is fal's word.
    if state.config.fal.webhook_user_id.as_deref().is_some_and(|ours| ours != signed.user_id) {
        tracing::warn!(infograph = %about, user_id = %signed.user_id, "webhook for another fal account refused");
        return Err(WebhookError::OtherAccount);
    }
    let json: Value = serde_json::from_slice(body).map_err(|e| WebhookError::Body(e.to_string()))?;
    let request_id = json
        .get("request_id")
        .and_then(Value::as_str)
        .ok_or_else(|| WebhookError::Body("request_id is missing".into()))?
        .to_string();
    if request_id != signed.request_id {
        return Err(WebhookError::Body("request_id differs from the signed header".into()));
    }
    Ok(Verified { json, request_id })
}

/// Handles one delivery for infograph `id`. Returns whether it changed the job.
pub async fn receive(state: &AppState, id: &str, headers: &HeaderMap, body: &[u8]) -> Result<bool, WebhookError> {
    counted("picture", apply_delivery(state, id, headers, body).await)
}

async fn apply_delivery(state: &AppState, id: &str, headers: &HeaderMap, body: &[u8]) -> Result<bool, WebhookError> {
    let Verified { json, request_id } = verify(state, id, headers, body).await?;
    let request_id = request_id.as_str();
    let job = job_for_request(state, id, request_id).await?;
    if job.status().is_final() {
        return Ok(false);
    }
    let mut outcome = Outcome::from_webhook(&json);
    // fal generated the image but could not put it in the webhook: fetch it from the queue.
    if json.get("payload_error").is_some_and(|e| !e.is_null()) {
        if let Some(fetched) = fetch_result(state, job.fal_response_url.as_deref()).await {
            outcome = fetched;
        }
    }
    let changed = lifecycle::apply_outcome(state, id, &outcome).await?;
    if changed {
        tracing::info!(infograph = %id, "webhook applied");
    }
    Ok(changed)
}

/// The job, once it is known to own `request_id`: recorded at submission, or adopted now.
async fn job_for_request(state: &AppState, id: &str, request_id: &str) -> Result<repo::InfographRow, WebhookError> {
    let mut job = repo::by_id(&state.db, id).await?.ok_or(WebhookError::UnknownJob)?;
    if job.fal_request_id.is_none() && repo::adopt_request(&state.db, id, request_id).await? {
        tracing::info!(infograph = %id, request_id, "adopted an unrecorded fal submission from its webhook");
        metrics::job_transition("processing");
        state.events.job_changed(id).await;
        job = repo::by_id(&state.db, id).await?.ok_or(WebhookError::UnknownJob)?;
    }
    match job.fal_request_id.as_deref() {
        None => Err(WebhookError::NotReady),
        Some(expected) if expected != request_id => Err(WebhookError::Body("request_id does not belong to this infograph".into())),
        Some(_) => Ok(job),
    }
}

/// The result from fal's queue, when it holds an image.
async fn fetch_result(state: &AppState, response_url: Option<&str>) -> Option<Outcome> {
    let output = state.fal.result(response_url?).await.ok()?;
    Some(Outcome::from_output(&output)).filter(|o| matches!(o, Outcome::Completed { .. }))
}

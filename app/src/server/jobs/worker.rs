//! The worker: claims `queued` jobs (with a lease, so one process prepares each), reads the blog,
//! builds the brief, submits to fal and records the request. A job's state is its row, so a
//! restart loses nothing; a crash mid-submit is covered by the recorded intent (never submitted
//! twice) and the webhook adoption or the reconciler's timeout.

use super::lifecycle;
use super::outcome::Outcome;
use super::repo::{self, InfographRow};
use crate::model::design::{BrandSnapshot, Layout, Outline, Style};
use crate::model::{AspectRatio, Resolution};
use crate::server::brand;
use crate::server::blog::{brief, extract, fetch};
use crate::server::delivery::{storage, vector};
use crate::server::platform::db::now_ms;
use crate::server::fal::client::FalError;
use crate::server::platform::config::Config;
use crate::server::platform::http::HTTP_TIMEOUT;
use crate::server::platform::state::AppState;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

const IDLE_POLL: Duration = Duration::from_secs(2);

/// How long a claimed job is reserved for its worker: longer than the slowest possible preparation
/// (blog fetch, then every fal attempt timing out, with backoff), so a live worker never loses it.
fn lease_ms(config: &Config) -> i64 {
    if let Some(lease) = config.job_lease {
        return lease.as_millis() as i64;
    }
    let attempts = config.fal.max_attempts.max(1);
    let backoff = config.fal.retry_base * 2u32.saturating_pow(attempts) * 5 / 4;
    let slowest = config.fetch_timeout + HTTP_TIMEOUT * attempts + backoff;
    (slowest + Duration::from_secs(60)).as_millis() as i64
}

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let permits = Arc::new(Semaphore::new(state.config.worker_concurrency));
        let lease = lease_ms(&state.config);
        loop {
            let Ok(permit) = permits.clone().acquire_owned().await else { return };
            let Some(work) = state.stopping.begin_work() else { return };
            match repo::claim_queued(&state.db, lease).await {
                Ok(Some(job)) => {
                    let state = state.clone();
                    if let Some(held) = job.lease_until {
                        state.stopping.hold_lease(&job.id, held);
                    }
                    tokio::spawn(async move {
                        let id = job.id.clone();
                        if job.blog_url.is_some() {
                            state.events.job_changed(&job.id).await;
                        }
                        run_job(&state, job).await;
                        state.stopping.drop_lease(&id);
                        drop((work, permit));
                    });
                }
                Ok(None) => {
                    drop((work, permit));
                    state.worker.wait(IDLE_POLL).await;
                }
                Err(err) => {
                    drop((work, permit));
                    tracing::error!(error = %err, "worker could not claim a job");
                    tokio::time::sleep(IDLE_POLL).await;
                }
            }
        }
    })
}

/// Gives back the leases of jobs this instance claimed and did not get to submit (the stop cut
/// them short), so another instance prepares them now rather than when the lease runs out.
pub async fn release_leases(state: &AppState) {
    for (id, lease) in state.stopping.take_leases() {
        match repo::release_lease(&state.db, &id, lease).await {
            Ok(true) => tracing::info!(infograph = %id, "lease given back at shutdown"),
            Ok(false) => {}
            Err(err) => tracing::warn!(infograph = %id, error = %err, "could not give a lease back; it runs out by itself"),
        }
    }
}

enum JobError {
    /// The job cannot succeed: fail it and refund.
    Failed(String),
    /// Another worker holds the job now (our lease expired); leave it alone.
    LeaseLost,
    /// fal may have accepted the job without our hearing back (e.g. a timeout after sending):
    /// failing it now could refund a job that then completes. Its webhook is adopted when it
    /// comes; if it never does, the hard timeout refunds it.
    Unconfirmed(String),
}

impl From<String> for JobError {
    fn from(message: String) -> Self {
        Self::Failed(message)
    }
}

/// Reads the blog (if any), builds the brief, submits to fal. Any failure ends the job as failed
/// with a refund; nothing here can leave a job charged and stuck.
async fn run_job(state: &AppState, job: InfographRow) {
    let id = job.id.clone();
    match submit_job(state, &job).await {
        Ok(()) => {}
        Err(JobError::LeaseLost) => tracing::warn!(infograph = %id, "lease lost; another worker owns the job"),
        Err(JobError::Unconfirmed(reason)) => {
            tracing::warn!(infograph = %id, %reason, "fal may have the job; waiting for its webhook or the timeout")
        }
        Err(JobError::Failed(message)) => {
            tracing::warn!(infograph = %id, reason = %message, "job failed before fal accepted it");
            if let Err(err) = lifecycle::apply_outcome(state, &id, &Outcome::Failed { message }).await {
                // The lease expires and the job is retried; the refund is still exactly-once.
                tracing::error!(infograph = %id, error = %err, "could not record a failed job");
            }
        }
    }
}

fn internal(context: &'static str) -> impl Fn(sqlx::Error) -> JobError {
    move |e| {
        tracing::error!(error = %e, context, "database error in the worker");
        JobError::Failed(format!("internal error while {context}"))
    }
}

/// The blog post's article, read under the fetch policy.
async fn read_blog(state: &AppState, raw: &str) -> Result<extract::Article, JobError> {
    let url = url::Url::parse(raw).map_err(|_| "could not read the blog: invalid URL".to_string())?;
    let page = fetch::fetch_html(&url, state.config.fetch_policy())
        .await
        .map_err(|e| format!("could not read the blog: {e}"))?;
    state
        .reader
        .extract(page.html, Some(page.final_url.to_string()))
        .await
        .map_err(|e| JobError::Failed(format!("could not read the blog: {e}")))
}

/// A refinement's prompt and the source image fal is to edit: our stored copy through a URL
/// signed for that file and an hour, or fal's own URL while the copy is not stored.
async fn refinement_input(state: &AppState, job: &InfographRow, parent_id: &str, aspect: AspectRatio, resolution: Resolution, budget: usize) -> Result<(String, String), JobError> {
    let parent = repo::by_id(&state.db, parent_id)
        .await
        .map_err(internal("reading the source"))?
        .filter(|p| p.user_id == job.user_id)
        .ok_or_else(|| "the infograph to refine no longer exists".to_string())?;
    let image = parent.image_url.clone().ok_or_else(|| "the infograph to refine has no image".to_string())?;
    let source = match image.strip_prefix(&format!("{}/{parent_id}/", storage::MEDIA_PREFIX)) {
        // A vector picture is edited from its PNG rendition: edit endpoints take raster images.
        Some(file) => storage::signed_media_url(&state.signer, &state.public_base_url, parent_id, &vector::raster_source(file), now_ms() + SOURCE_URL_TTL_MS),
        None => image,
    };
    let instruction = job.instruction.as_deref().unwrap_or_default();
    let title = job.title.clone().unwrap_or_else(|| parent.name());
    let prompt = brief::refinement(instruction, &title, parent.built_prompt.as_deref(), aspect, resolution, budget);
    Ok((prompt, source))
}

/// What the job was asked to look like, read back from its row. A column that does not parse
/// (it cannot: it was validated before it was written) counts as unset.
struct StoredDesign {
    layout: Layout,
    style: Option<Style>,
    language: Option<String>,
    brand: Option<BrandSnapshot>,
    outline: Option<Outline>,
}

impl StoredDesign {
    fn of(job: &InfographRow) -> Self {
        Self {
            layout: job.layout.as_deref().and_then(|l| Layout::parse(l).ok()).unwrap_or_default(),
            style: job.style.as_deref().and_then(|s| Style::parse(s).ok()),
            language: job.language.clone(),
            brand: job.brand.as_deref().and_then(|b| serde_json::from_str(b).ok()),
            outline: job.outline.as_deref().and_then(|o| serde_json::from_str(o).ok()),
        }
    }

    fn brief(&self) -> brief::BriefDesign<'_> {
        brief::BriefDesign {
            layout: self.layout,
            style: self.style,
            language: self.language.as_deref(),
            brand: self.brand.as_ref(),
            outline: self.outline.as_ref(),
        }
    }
}

/// The picture's name: the one it has (an outline's, the family's), else the article's headline
/// (its title without " | Site"), else one written from the prompt.
fn job_title(job: &InfographRow, article: Option<&extract::Article>) -> String {
    let headline = article.and_then(crate::server::outline::heuristic::headline).map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|t| !t.is_empty());
    let headline = headline.map(|t| t.chars().take(crate::model::design::TITLE_MAX_CHARS).collect::<String>());
    job.title.clone().or(headline).unwrap_or_else(|| job.name())
}

/// How long the signed URL of a refinement's source works: long enough for fal's queue.
const SOURCE_URL_TTL_MS: i64 = 3600 * 1000;

/// The job's source picture, if it is still its owner's.
async fn owned_parent(state: &AppState, job: &InfographRow, parent_id: &str) -> Result<InfographRow, JobError> {
    repo::by_id(&state.db, parent_id)
        .await
        .map_err(internal("reading the source"))?
        .filter(|p| p.user_id == job.user_id)
        .ok_or_else(|| JobError::Failed("the infograph to make editable no longer exists".into()))
}

/// "Make the text editable": the source picture to fal's layerize-text.
async fn submit_layers(state: &AppState, job: &InfographRow, lease: i64) -> Result<(), JobError> {
    let parent_id = job.parent_id.as_deref().ok_or_else(|| JobError::Failed("a layered version needs its source".into()))?;
    let parent = owned_parent(state, job, parent_id).await?;
    // Its own URL at fal when known (fal reads its files fastest, and the emulator knows what it
    // drew), else a signed URL of our stored copy.
    let url = match parent.source_image_url.clone().or_else(|| parent.image_url.clone()) {
        Some(image) => match image.strip_prefix(&format!("{}/{parent_id}/", storage::MEDIA_PREFIX)) {
            Some(file) => storage::signed_media_url(&state.signer, &state.public_base_url, parent_id, file, now_ms() + SOURCE_URL_TTL_MS),
            None => image,
        },
        None => return Err(JobError::Failed("the infograph to make editable has no image".into())),
    };
    let title = job.name();
    if !repo::record_intent(&state.db, &job.id, lease, crate::server::jobs::create::LAYERS_INSTRUCTION, &title).await.map_err(internal("preparing the job"))? {
        return Err(JobError::LeaseLost);
    }
    let webhook = format!("{}/api/infographs/webhook/{}/", state.public_base_url, job.id);
    let input = crate::server::layers::layerize::input(&url);
    let submitted = state.fal.submit_to(crate::server::layers::layerize::ENDPOINT, &input, Some(&webhook)).await.map_err(|e| match e {
        FalError::Unconfirmed(reason) => JobError::Unconfirmed(reason),
        other => JobError::Failed(format!("fal did not accept the job: {other}")),
    })?;
    record_submitted(state, job, lease, &submitted).await
}

async fn submit_job(state: &AppState, job: &InfographRow) -> Result<(), JobError> {
    if job.kind == crate::model::infograph::VersionKind::Layers.as_str() {
        return submit_layers(state, job, job.lease_until.ok_or(JobError::LeaseLost)?).await;
    }
    let aspect: AspectRatio = job.aspect_ratio.parse()?;
    let resolution: Resolution = job.resolution.parse()?;
    let lease = job.lease_until.ok_or(JobError::LeaseLost)?;
    let model = state.models.of_job(job.model.as_deref());
    let design = StoredDesign::of(job);
    let colors = design.brand.as_ref().map(|b| b.colors.clone()).unwrap_or_default();
    // The brief is written to the model's own length budget.
    let budget = state.config.prompt_max_chars.min(model.brief_max_chars);
    let (prompt, image, title) = match &job.parent_id {
        Some(parent_id) => {
            let (prompt, source) = refinement_input(state, job, parent_id, aspect, resolution, budget).await?;
            (prompt, Some(source), job.name())
        }
        None => {
            // A reviewed outline says what the image shows: the blog is not read again.
            let article = match (&job.blog_url, &design.outline) {
                (Some(raw), None) => Some(read_blog(state, raw).await?),
                _ => None,
            };
            let title = job_title(job, article.as_ref());
            let prompt = brief::build(&title, &job.user_prompt, article.as_ref(), aspect, resolution, budget, &design.brief());
            // With a logo, the model's edit endpoint places it: the logo is the image it gets.
            let logo = match model.logo {
                crate::server::models::Logo::Edit => design.brand.as_ref().and_then(|b| b.logo_key.as_deref()).and_then(|key| brand::signed_logo_url(state, key, now_ms() + SOURCE_URL_TTL_MS)),
                crate::server::models::Logo::None => None,
            };
            (prompt, logo, title)
        }
    };
    let draw = crate::server::models::input::Draw { prompt: prompt.clone(), aspect, resolution, colors: &colors, image };
    let (endpoint, input) = crate::server::models::input::for_model(model, &draw).map_err(|e| JobError::Failed(e.to_string()))?;
    // Storing the brief doubles as the lease check right before the (billed) submission.
    if !repo::record_intent(&state.db, &job.id, lease, &prompt, &title).await.map_err(internal("preparing the job"))? {
        return Err(JobError::LeaseLost);
    }
    let webhook = format!("{}/api/infographs/webhook/{}/", state.public_base_url, job.id);
    let submitted = state.fal.submit_to(&endpoint, &input, Some(&webhook)).await.map_err(|e| match e {
        FalError::Unconfirmed(reason) => JobError::Unconfirmed(reason),
        other => JobError::Failed(format!("fal did not accept the job: {other}")),
    })?;
    record_submitted(state, job, lease, &submitted).await
}

/// What fal answered, recorded under the job's lease.
async fn record_submitted(state: &AppState, job: &InfographRow, lease: i64, submitted: &crate::server::fal::client::Submitted) -> Result<(), JobError> {
    match repo::record_submission(&state.db, &job.id, lease, submitted).await {
        Ok(true) => {
            crate::server::platform::metrics::job_transition("processing");
            state.events.job_changed(&job.id).await;
            Ok(())
        }
        // Its webhook already arrived and was adopted (a fast fal), or the job timed out meanwhile.
        Ok(false) => {
            tracing::info!(infograph = %job.id, request_id = %submitted.request_id, "job moved on before its submission was recorded");
            Err(JobError::LeaseLost)
        }
        // fal runs the job; refunding now would pay the user back for an image they will get.
        // The intent is recorded, so the job's webhook is adopted (or the timeout refunds it).
        Err(e) => {
            tracing::error!(infograph = %job.id, request_id = %submitted.request_id, error = %e, "could not record a submission");
            Err(JobError::Unconfirmed(format!("the submission could not be recorded: {e}")))
        }
    }
}

//! The image copier: every completed job's image is copied from fal into our storage, checked
//! and thumbnailed, then served from our URL. Never touches credits or the job's status: a
//! completed job stays completed with fal's URL if copying fails, and the copy is retried with
//! backoff a bounded number of times. Its durable state is on the `infographs` row (migration
//! 0004): `status = 'completed' AND stored_at IS NULL` means "to copy", and `storage_next_at` is
//! both the retry time and the lease of the instance copying it.

use super::renditions;
use super::storage::{self, ImageError};
use super::vector;
use crate::server::jobs::repo::{self, CopyJob, Stored};
use crate::server::platform::queue;
use crate::server::platform::state::AppState;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a claimed copy belongs to its instance before another may retry it.
const LEASE: Duration = Duration::from_secs(180);
const IDLE_POLL: Duration = Duration::from_secs(5);

/// One image at a time per instance (each can be tens of MB and a decode), woken when a job
/// completes and every few seconds for retries.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let state = &state;
        queue::run("storage copier", IDLE_POLL, &state.storage.wake, &state.stopping, move || async move {
            let lease = LEASE.as_millis() as i64;
            let Some(job) = repo::claim_copy(&state.db, state.config.storage.max_attempts, lease).await? else {
                return Ok(false);
            };
            copy_one(state, job).await;
            Ok(true)
        })
        .await;
    })
}

async fn copy_one(state: &AppState, job: CopyJob) {
    match store_image(state, &job).await {
        Ok(true) => {
            tracing::info!(infograph = %job.id, "image copied to our storage");
            state.events.job_changed(&job.id).await;
        }
        Ok(false) => tracing::info!(infograph = %job.id, "image copy lost its lease; another instance has it"),
        Err(reason) => {
            let attempts = job.storage_attempts.max(1) as u32;
            let exhausted = attempts >= state.config.storage.max_attempts;
            tracing::warn!(infograph = %job.id, attempts, exhausted, %reason, "image copy failed; fal's URL stays");
            let delay = queue::backoff(state.config.storage.retry_base, attempts).as_millis() as i64;
            if let Err(err) = repo::record_copy_failure(&state.db, &job, &reason.to_string(), delay, exhausted).await {
                tracing::error!(infograph = %job.id, error = %err, "could not record a failed image copy");
            } else if exhausted {
                // The card leaves "storing" for good: it keeps fal's URL.
                state.events.job_changed(&job.id).await;
            }
        }
    }
}

/// Why a copy failed: the image, or our database.
#[derive(Debug, thiserror::Error)]
enum CopyError {
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the image check panicked")]
    Panicked,
}

/// Fetches, checks, thumbnails and writes both objects; then points the job at them.
/// `Ok(false)`: our lease was lost meanwhile (the objects are content-addressed, so the other
/// copier writes the same keys).
async fn store_image(state: &AppState, job: &CopyJob) -> Result<bool, CopyError> {
    let store = &state.storage;
    let fetched = storage::fetch_image(store, &job.image_url, &state.config.fetch_policy(), state.config.storage.max_bytes).await?;
    if vector::looks_like_svg(&fetched) {
        return store_vector(state, job, fetched).await;
    }
    // A layered version's fetched image is its background: what it shows is our rendering.
    let bytes = crate::server::layers::compose_for_copy(state, &job.id, &fetched).await?.unwrap_or(fetched);
    let edge = state.config.storage.thumbnail_edge;
    let checked = bytes.clone();
    let (inspected, (thumb, thumb_webp)) = tokio::task::spawn_blocking(move || {
        let inspected = storage::inspect(&checked)?;
        let thumbs = renditions::thumbnails(&checked, &inspected, edge)?;
        Ok::<_, ImageError>((inspected, thumbs))
    })
    .await
    .map_err(|_| CopyError::Panicked)??;
    let hash = hex::encode(&Sha256::digest(&bytes)[..16]);
    let image_name = format!("{hash}.{}", inspected.extension());
    let thumb_name = format!("{hash}-thumb.jpg");
    let image_key = storage::object_key(&job.id, &image_name);
    let thumb_key = storage::object_key(&job.id, &thumb_name);
    storage::put(store, &image_key, bytes).await?;
    storage::put(store, &thumb_key, Bytes::from(thumb)).await?;
    // The WebP beside it is a rendition (`<hash>-thumb.webp`): made now so the gallery never
    // waits for it; a missing one would be made on its first request.
    storage::put(store, &storage::object_key(&job.id, &format!("{hash}-thumb.webp")), Bytes::from(thumb_webp)).await?;
    let stored = Stored {
        image_url: storage::media_url(&job.id, &image_name),
        thumbnail_url: storage::media_url(&job.id, &thumb_name),
        image_key,
        thumb_key,
        width: i64::from(inspected.width),
        height: i64::from(inspected.height),
    };
    Ok(repo::record_stored(&state.db, job, &stored).await?)
}

/// A vector picture (SVG): only its sanitised text is stored, as the image (`<hash>.svg`, named
/// after that text), with its PNG beside it (`<hash>.png`: what every other format and size is
/// made from) and thumbnails made from the PNG. The job's size is the PNG's.
async fn store_vector(state: &AppState, job: &CopyJob, fetched: Bytes) -> Result<bool, CopyError> {
    let store = &state.storage;
    let edge = state.config.storage.thumbnail_edge;
    let copy = tokio::task::spawn_blocking(move || vector::prepare_copy(&fetched, edge)).await.map_err(|_| CopyError::Panicked)??;
    let hash = hex::encode(&Sha256::digest(&copy.svg)[..16]);
    let image_name = format!("{hash}.svg");
    let thumb_name = format!("{hash}-thumb.jpg");
    let image_key = storage::object_key(&job.id, &image_name);
    let thumb_key = storage::object_key(&job.id, &thumb_name);
    // The PNG first: a recorded SVG always has its raster beside it.
    storage::put(store, &storage::object_key(&job.id, &format!("{hash}.png")), Bytes::from(copy.png)).await?;
    storage::put(store, &thumb_key, Bytes::from(copy.thumb_jpeg)).await?;
    storage::put(store, &storage::object_key(&job.id, &format!("{hash}-thumb.webp")), Bytes::from(copy.thumb_webp)).await?;
    storage::put(store, &image_key, Bytes::from(copy.svg)).await?;
    let stored = Stored {
        image_url: storage::media_url(&job.id, &image_name),
        thumbnail_url: storage::media_url(&job.id, &thumb_name),
        image_key,
        thumb_key,
        width: i64::from(copy.width),
        height: i64::from(copy.height),
    };
    Ok(repo::record_stored(&state.db, job, &stored).await?)
}

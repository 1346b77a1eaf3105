//! After completion: the image copier's claims on a completed job and where it stored the copy.
//! The copier lives in `delivery`, so these writes are open to the server; they change no
//! status, and each is guarded by the copier's lease.

use super::transition::{changed_one, in_state};
use crate::model::JobStatus::Completed;
use crate::server::platform::db::{now_ms, Db};

/// A completed job whose image is to be copied, claimed until `storage_next_at`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(in crate::server) struct CopyJob {
    pub(in crate::server) id: String,
    pub(in crate::server) image_url: String,
    pub(in crate::server) storage_attempts: i64,
    pub(in crate::server) storage_next_at: i64,
}

/// Claims the oldest completed job whose image is not yet in our storage, with a lease of
/// `lease_ms` that doubles as its retry time.
pub(in crate::server) async fn claim_copy(db: &Db, max_attempts: u32, lease_ms: i64) -> Result<Option<CopyJob>, sqlx::Error> {
    let now = now_ms();
    let completed = in_state(Completed);
    let w = db.write().await;
    sqlx::query_as::<_, CopyJob>(&format!(
        "UPDATE infographs SET storage_next_at = $1, storage_attempts = storage_attempts + 1 \
         WHERE id = (SELECT id FROM infographs WHERE {completed} AND stored_at IS NULL \
                     AND image_url IS NOT NULL AND storage_attempts < $3 \
                     AND (storage_next_at IS NULL OR storage_next_at < $2) ORDER BY completed_at LIMIT 1{}) \
           AND {completed} AND stored_at IS NULL AND (storage_next_at IS NULL OR storage_next_at < $2) \
         RETURNING id, image_url, storage_attempts, storage_next_at",
        db.skip_locked()
    ))
    .bind(now + lease_ms)
    .bind(now)
    .bind(i64::from(max_attempts))
    .fetch_optional(w.pool())
    .await
}

/// Where a copy was stored.
pub(in crate::server) struct Stored {
    pub(in crate::server) image_url: String,
    pub(in crate::server) thumbnail_url: String,
    pub(in crate::server) image_key: String,
    pub(in crate::server) thumb_key: String,
    pub(in crate::server) width: i64,
    pub(in crate::server) height: i64,
}

/// Points the job at our copy, keeping fal's URL as the source; guarded by our lease and by the
/// URL we copied, so a stale copier can never overwrite a newer result.
pub(in crate::server) async fn record_stored(db: &Db, job: &CopyJob, s: &Stored) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    changed_one(&w, sqlx::query(
        "UPDATE infographs SET source_image_url = image_url, image_url = $1, thumbnail_url = $2, \
         stored_image_key = $3, stored_thumb_key = $4, width = $5, height = $6, stored_at = $7, \
         updated_at = $7, storage_next_at = NULL, storage_error = NULL, version = version + 1 \
         WHERE id = $8 AND stored_at IS NULL AND storage_next_at = $9 AND image_url = $10",
    )
    .bind(&s.image_url)
    .bind(&s.thumbnail_url)
    .bind(&s.image_key)
    .bind(&s.thumb_key)
    .bind(s.width)
    .bind(s.height)
    .bind(now)
    .bind(&job.id)
    .bind(job.storage_next_at)
    .bind(&job.image_url))
    .await
}

/// A failed copy: retried after `delay`, or (`exhausted`) given up for good, keeping fal's URL.
pub(in crate::server) async fn record_copy_failure(db: &Db, job: &CopyJob, reason: &str, delay_ms: i64, exhausted: bool) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    sqlx::query(
        "UPDATE infographs SET storage_next_at = $1, storage_error = $2, \
         storage_gave_up_at = CASE WHEN $3 = 1 THEN $5 ELSE storage_gave_up_at END, \
         progress_version = progress_version + $3 \
         WHERE id = $4 AND stored_at IS NULL AND storage_next_at = $6",
    )
    .bind(now + delay_ms)
    .bind(reason)
    .bind(i64::from(exhausted))
    .bind(&job.id)
    .bind(now)
    .bind(job.storage_next_at)
    .execute(w.pool())
    .await?;
    Ok(())
}

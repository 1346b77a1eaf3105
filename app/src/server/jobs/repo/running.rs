//! While fal has a job: the owner's cancel request, the reconciler's and the progress poller's
//! claims, and what fal last said about it. None of these changes the status.

use super::row::{InfographRow, COLUMNS};
use super::transition::{changed_one, in_state};
use crate::model::JobStatus::Processing;
use crate::server::platform::db::{now_ms, Db};

/// Records (`requested`) or takes back (fal refused it) the owner's cancel request. `false` when
/// there was nothing to change: already asked, not asked, or no longer running.
pub(in crate::server::jobs) async fn set_cancel_requested(db: &Db, id: &str, requested: bool) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let (set, guard) = if requested {
        ("cancel_requested_at = $1", "cancel_requested_at IS NULL")
    } else {
        ("cancel_requested_at = NULL", "cancel_requested_at IS NOT NULL")
    };
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET {set}, updated_at = $1, version = version + 1 WHERE id = $2 AND {} AND {guard}",
        in_state(Processing)
    ))
    .bind(now)
    .bind(id))
    .await
}

/// Claims the processing jobs no webhook has ended within `after_ms`, by pushing their next poll
/// forward, so reconcilers on other instances do not poll the same job at once.
pub(in crate::server::jobs) async fn claim_due_polls(db: &Db, after_ms: i64, limit: i64) -> Result<Vec<InfographRow>, sqlx::Error> {
    let now = now_ms();
    let processing = in_state(Processing);
    let w = db.write().await;
    sqlx::query_as(&format!(
        "UPDATE infographs SET next_poll_at = $1 WHERE id IN (SELECT id FROM infographs \
         WHERE {processing} AND submitted_at < $2 AND (next_poll_at IS NULL OR next_poll_at < $3) \
         ORDER BY submitted_at LIMIT $4{}) AND {processing} RETURNING {COLUMNS}",
        db.skip_locked()
    ))
    .bind(now + after_ms.max(1000))
    .bind(now - after_ms)
    .bind(now)
    .bind(limit)
    .fetch_all(w.pool())
    .await
}

/// Claims running jobs whose fal status is due for a progress poll (every `every_ms`): their ids
/// and status URLs. Instances sharing a database split the polling instead of repeating it.
pub(in crate::server::jobs) async fn claim_progress_polls(db: &Db, every_ms: i64, limit: i64) -> Result<Vec<(String, Option<String>)>, sqlx::Error> {
    let now = now_ms();
    let processing = in_state(Processing);
    let w = db.write().await;
    sqlx::query_as(&format!(
        "UPDATE infographs SET progress_poll_at = $1 WHERE id IN (SELECT id FROM infographs \
         WHERE {processing} AND fal_status_url IS NOT NULL \
         AND (progress_poll_at IS NULL OR progress_poll_at <= $2) \
         ORDER BY COALESCE(progress_poll_at, 0) LIMIT $3{}) AND {processing} \
         RETURNING id, fal_status_url",
        db.skip_locked()
    ))
    .bind(now + every_ms)
    .bind(now)
    .bind(limit)
    .fetch_all(w.pool())
    .await
}

/// Stores what fal said about a running job when it differs from what we had (a version bump
/// only for a visible change; never back from `IN_PROGRESS` to `IN_QUEUE`). `COMPLETED` is left
/// to the webhook and the reconciler, which fetch the result. Returns whether the row changed.
pub(in crate::server::jobs) async fn record_fal_status(db: &Db, id: &str, fal_status: &str, position: Option<i64>) -> Result<bool, sqlx::Error> {
    if !matches!(fal_status, "IN_QUEUE" | "IN_PROGRESS") {
        return Ok(false);
    }
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET fal_phase = $1, queue_position = $2, updated_at = $3, progress_version = progress_version + 1 \
         WHERE id = $4 AND {} \
         AND NOT (COALESCE(fal_phase, '') = $1 AND COALESCE(queue_position, -1) = $5) \
         AND NOT (COALESCE(fal_phase, '') = 'IN_PROGRESS' AND $1 = 'IN_QUEUE')",
        in_state(Processing)
    ))
    .bind(fal_status)
    .bind(position)
    .bind(now_ms())
    .bind(id)
    .bind(position.unwrap_or(-1)))
    .await
}

//! The final states: completed with fal's image, or failed (or cancelled) with the job's cost
//! refunded through the ledger in the same transaction, exactly once.

use super::transition::{changed_one, Transition, CANCELLED, COMPLETED, FAILED};
use crate::server::billing::ledger;
use crate::server::platform::db::{now_ms, Db};

/// The image fal delivered (for a layered version: its background, with its layers as JSON).
pub(in crate::server::jobs) struct Image<'a> {
    pub(in crate::server::jobs) url: &'a str,
    pub(in crate::server::jobs) width: Option<i64>,
    pub(in crate::server::jobs) height: Option<i64>,
    pub(in crate::server::jobs) layers: Option<&'a str>,
}

/// processing → completed. `false` when it was not processing (a duplicate).
pub(in crate::server::jobs) async fn complete(db: &Db, id: &str, image: &Image<'_>) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET {}, image_url = $1, width = $2, height = $3, \
         completed_at = $4, updated_at = $4, lease_until = NULL, version = version + 1, layers = COALESCE($6, layers) \
         WHERE id = $5 AND {}",
        COMPLETED.set(),
        COMPLETED.guard()
    ))
    .bind(image.url)
    .bind(image.width)
    .bind(image.height)
    .bind(now)
    .bind(id)
    .bind(image.layers))
    .await
}

/// queued | processing → failed, with its cost refunded in the same transaction, exactly once.
/// `false` (nothing changed) when the job is already final. A job whose owner asked for a cancel
/// ends marked cancelled.
pub(in crate::server::jobs) async fn fail_with_refund(db: &Db, id: &str, message: &str) -> Result<bool, sqlx::Error> {
    end_with_refund(db, id, message, &FAILED, "", "CASE WHEN cancel_requested_at IS NOT NULL THEN $2 END").await
}

/// queued → failed, cancelled and refunded, for a job never handed to fal. `false` when it has
/// moved on: the guard on `submit_started_at` is the one `submission::record_intent` checks, so exactly
/// one of the two wins.
pub(in crate::server::jobs) async fn cancel_unsubmitted(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    end_with_refund(db, id, "Cancelled before it started.", &CANCELLED, "AND submit_started_at IS NULL", "$2").await
}

async fn end_with_refund(
    db: &Db,
    id: &str,
    message: &str,
    transition: &Transition,
    guard: &str,
    cancelled_at: &str,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    let mut tx = w.begin().await?;
    // The family's free fix was never charged: it ends without a refund.
    let failed: Option<(String, i64, i64)> = sqlx::query_as(&format!(
        "UPDATE infographs SET {}, error_message = $1, refunded_at = CASE WHEN proofread_fix = 2 THEN NULL ELSE $2 END, \
         completed_at = $2, updated_at = $2, lease_until = NULL, version = version + 1, \
         cancelled_at = {cancelled_at} \
         WHERE id = $3 AND {} {guard} RETURNING user_id, cost, proofread_fix",
        transition.set(),
        transition.guard()
    ))
    .bind(message)
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, cost, fix)) = failed else {
        tx.rollback().await?;
        return Ok(false);
    };
    if fix != 2 {
        ledger::refund(&mut tx, &user_id, cost, id, now).await?;
    }
    tx.commit().await?;
    tracing::info!(infograph = id, cost, "job failed; credits refunded");
    Ok(true)
}

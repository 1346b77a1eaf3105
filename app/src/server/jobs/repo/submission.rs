//! From queued to processing: the worker's lease, its intent to submit, fal's answer, and a
//! webhook that proves a submission we never recorded.

use super::row::{InfographRow, COLUMNS};
use super::transition::{changed_one, in_state, SUBMITTED};
use crate::model::JobStatus::Queued;
use crate::server::fal::client::Submitted;
use crate::server::platform::db::{now_ms, Db};

/// Leases the oldest queued job nobody is preparing, never one whose submission was started
/// (it may be at fal: see [`record_intent`]).
pub(in crate::server::jobs) async fn claim_queued(db: &Db, lease_ms: i64) -> Result<Option<InfographRow>, sqlx::Error> {
    let now = now_ms();
    let queued = in_state(Queued);
    let w = db.write().await;
    sqlx::query_as::<_, InfographRow>(&format!(
        "UPDATE infographs SET lease_until = $1, attempts = attempts + 1, updated_at = $2, progress_version = progress_version + 1 \
         WHERE id = (SELECT id FROM infographs WHERE {queued} AND submit_started_at IS NULL \
                     AND (lease_until IS NULL OR lease_until < $2) ORDER BY created_at LIMIT 1{}) \
           AND {queued} AND submit_started_at IS NULL AND (lease_until IS NULL OR lease_until < $2) \
         RETURNING {COLUMNS}",
        db.skip_locked()
    ))
    .bind(now + lease_ms)
    .bind(now)
    .fetch_optional(w.pool())
    .await
}

/// Gives a lease back before it runs out, if it is still ours and the submission was not started.
pub(in crate::server::jobs) async fn release_lease(db: &Db, id: &str, lease: i64) -> Result<bool, sqlx::Error> {
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET lease_until = NULL, updated_at = $1, progress_version = progress_version + 1 \
         WHERE id = $2 AND {} AND lease_until = $3 AND submit_started_at IS NULL",
        in_state(Queued)
    ))
    .bind(now_ms())
    .bind(id)
    .bind(lease))
    .await
}

/// Stores the brief and the title it names (kept if the job already had one) and records the
/// intent to submit, if the lease is still ours: from here on the job is never claimed again, so
/// it is never submitted twice (see migration 0003).
pub(in crate::server::jobs) async fn record_intent(db: &Db, id: &str, lease: i64, brief: &str, title: &str) -> Result<bool, sqlx::Error> {
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET built_prompt = $1, updated_at = $2, submit_started_at = $2, progress_version = progress_version + 1, \
         title = COALESCE(title, $5) \
         WHERE id = $3 AND {} AND lease_until = $4 AND submit_started_at IS NULL",
        in_state(Queued)
    ))
    .bind(brief)
    .bind(now_ms())
    .bind(id)
    .bind(lease)
    .bind(title))
    .await
}

/// queued → processing with fal's request, if our lease still holds and no webhook was adopted.
pub(in crate::server::jobs) async fn record_submission(db: &Db, id: &str, lease: i64, s: &Submitted) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET {}, fal_request_id = $1, fal_status_url = $2, \
         fal_response_url = $3, fal_cancel_url = $4, submitted_at = $5, updated_at = $5, \
         lease_until = NULL, version = version + 1 \
         WHERE id = $6 AND {} AND lease_until = $7 AND fal_request_id IS NULL",
        SUBMITTED.set(),
        SUBMITTED.guard()
    ))
    .bind(&s.request_id)
    .bind(&s.status_url)
    .bind(&s.response_url)
    .bind(&s.cancel_url)
    .bind(now)
    .bind(id)
    .bind(lease))
    .await
}

/// queued → processing from a webhook for a job whose submission was never recorded (its worker
/// died between fal's answer and our write, or fal answered faster than we wrote): the signed
/// webhook, addressed to this job's URL, proves which fal request belongs to it.
pub(in crate::server::jobs) async fn adopt_request(db: &Db, id: &str, request_id: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET {}, fal_request_id = $1, submitted_at = $2, \
         updated_at = $2, lease_until = NULL, version = version + 1 \
         WHERE id = $3 AND {} AND fal_request_id IS NULL AND submit_started_at IS NOT NULL",
        SUBMITTED.set(),
        SUBMITTED.guard()
    ))
    .bind(request_id)
    .bind(now)
    .bind(id))
    .await
}

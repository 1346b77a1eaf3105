//! The `proofreads` table: one row per picture, the only code that writes it. A row is
//! `pending` from the moment a completed picture is claimed for a read-back until the result is
//! in (`done`) or the read-back is given up (`not_proofread`); every ending is a guarded
//! `UPDATE … WHERE status = 'pending'`, so a webhook, the reconciler and another instance end it
//! once.

use crate::model::proofread::{Comparison, Problem, ProofreadStatus, ProofreadView};
use crate::server::platform::db::{now_ms, Conn, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProofreadRow {
    pub infograph_id: String,
    pub status: String,
    pub fal_request_id: Option<String>,
    pub fal_status_url: Option<String>,
    pub fal_response_url: Option<String>,
    pub attempts: i64,
    pub transcription: Option<String>,
    pub problems: Option<String>,
    pub words_expected: i64,
    pub words_found: i64,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
}

const COLUMNS: &str = "infograph_id, status, fal_request_id, fal_status_url, fal_response_url, attempts, transcription, \
    problems, words_expected, words_found, created_at, submitted_at";

impl ProofreadRow {
    pub fn status(&self) -> ProofreadStatus {
        ProofreadStatus::parse(&self.status).unwrap_or(ProofreadStatus::NotProofread)
    }

    pub fn problems(&self) -> Vec<Problem> {
        self.problems.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default()
    }

    pub fn view(&self) -> ProofreadView {
        ProofreadView {
            status: self.status(),
            words_expected: u32::try_from(self.words_expected).unwrap_or(0),
            words_found: u32::try_from(self.words_found).unwrap_or(0),
            text: self.transcription.clone().unwrap_or_default(),
            problems: self.problems(),
            fix_cost: 0,
        }
    }
}

pub async fn by_infograph(db: &Db, infograph_id: &str) -> Result<Option<ProofreadRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM proofreads WHERE infograph_id = $1"))
        .bind(infograph_id)
        .fetch_optional(db.read())
        .await
}

/// Claims one completed picture that has no proofread yet, or one whose claim lapsed before it
/// reached fal (its instance died), for `lease_ms`. The picture's id, or `None`.
pub async fn claim_unsubmitted(db: &Db, lease_ms: i64) -> Result<Option<String>, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    let fresh: Option<String> = sqlx::query_scalar(
        "INSERT INTO proofreads (infograph_id, status, lease_until, created_at) \
         SELECT i.id, 'pending', $1, $2 FROM infographs i \
         WHERE i.status = 'completed' AND i.deleted_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM proofreads p WHERE p.infograph_id = i.id) \
         ORDER BY i.completed_at LIMIT 1 \
         ON CONFLICT (infograph_id) DO NOTHING RETURNING infograph_id",
    )
    .bind(now + lease_ms)
    .bind(now)
    .fetch_optional(w.pool())
    .await?;
    if fresh.is_some() {
        return Ok(fresh);
    }
    sqlx::query_scalar(&format!(
        "UPDATE proofreads SET lease_until = $1, attempts = attempts + 1 WHERE infograph_id = (SELECT infograph_id FROM proofreads \
         WHERE status = 'pending' AND fal_request_id IS NULL AND lease_until < $2 ORDER BY created_at LIMIT 1{}) \
         AND status = 'pending' AND fal_request_id IS NULL RETURNING infograph_id",
        db.skip_locked()
    ))
    .bind(now + lease_ms)
    .bind(now)
    .fetch_optional(w.pool())
    .await
}

/// What fal answered to the read-back's submission. `false` when the row was ended meanwhile.
pub async fn record_submission(db: &Db, infograph_id: &str, request_id: &str, status_url: &str, response_url: &str) -> Result<bool, sqlx::Error> {
    let w = db.write().await;
    let done = sqlx::query(
        "UPDATE proofreads SET fal_request_id = $1, fal_status_url = $2, fal_response_url = $3, submitted_at = $4, lease_until = NULL \
         WHERE infograph_id = $5 AND status = 'pending' AND fal_request_id IS NULL",
    )
    .bind(request_id)
    .bind(status_url)
    .bind(response_url)
    .bind(now_ms())
    .bind(infograph_id)
    .execute(w.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Pending read-backs fal has had for longer than `after_ms` without a webhook, claimed for one
/// poll (pushed `after_ms` forward) so instances do not poll the same one at once.
pub async fn claim_due_polls(db: &Db, after_ms: i64, limit: i64) -> Result<Vec<ProofreadRow>, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    sqlx::query_as(&format!(
        "UPDATE proofreads SET polled_at = $1 WHERE infograph_id IN (SELECT infograph_id FROM proofreads \
         WHERE status = 'pending' AND fal_request_id IS NOT NULL AND submitted_at < $2 AND (polled_at IS NULL OR polled_at < $2) \
         ORDER BY submitted_at LIMIT $3{}) AND status = 'pending' RETURNING {COLUMNS}",
        db.skip_locked()
    ))
    .bind(now)
    .bind(now - after_ms)
    .bind(limit)
    .fetch_all(w.pool())
    .await
}

/// Pending read-backs created before `before`: past their deadline.
pub async fn pending_since_before(db: &Db, before: i64, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT infograph_id FROM proofreads WHERE status = 'pending' AND created_at < $1 ORDER BY created_at LIMIT $2")
        .bind(before)
        .bind(limit)
        .fetch_all(db.read())
        .await
}

/// Ends a pending proofread with its comparison, inside the caller's transaction. `false` when
/// it had already ended.
pub async fn finish(conn: &mut Conn, infograph_id: &str, transcription: &str, comparison: &Comparison) -> Result<bool, sqlx::Error> {
    let problems = serde_json::to_string(&comparison.problems).unwrap_or_else(|_| "[]".into());
    let done = sqlx::query(
        "UPDATE proofreads SET status = 'done', transcription = $1, problems = $2, words_expected = $3, words_found = $4, \
         finished_at = $5, lease_until = NULL WHERE infograph_id = $6 AND status = 'pending'",
    )
    .bind(transcription)
    .bind(problems)
    .bind(i64::from(comparison.words_expected))
    .bind(i64::from(comparison.words_found))
    .bind(now_ms())
    .bind(infograph_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a pending proofread up (`reason`: a timeout, fal's error), inside the caller's
/// transaction. `false` when it had already ended.
pub async fn give_up(conn: &mut Conn, infograph_id: &str, reason: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE proofreads SET status = 'not_proofread', error_message = $1, finished_at = $2, lease_until = NULL \
         WHERE infograph_id = $3 AND status = 'pending'",
    )
    .bind(reason)
    .bind(now_ms())
    .bind(infograph_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The owner's "fix automatically" setting (`users.auto_fix`).
pub async fn auto_fix(db: &Db, user_id: &str) -> Result<bool, sqlx::Error> {
    let flag: Option<i64> = sqlx::query_scalar("SELECT auto_fix FROM users WHERE id = $1").bind(user_id).fetch_optional(db.read()).await?;
    Ok(flag == Some(1))
}

pub async fn set_auto_fix(db: &Db, user_id: &str, on: bool) -> Result<(), sqlx::Error> {
    let w = db.write().await;
    sqlx::query("UPDATE users SET auto_fix = $1 WHERE id = $2").bind(i64::from(on)).bind(user_id).execute(w.pool()).await?;
    Ok(())
}

//! Credits and the job state transitions that move them. Every balance change is one ledger row
//! written in the same transaction as the balance update, so `users.credit_balance` always equals
//! the sum of the user's ledger.

use super::db::{new_id, now_ms, predecessors_sql, Db, InfographRow, INFOGRAPH_COLUMNS};
use crate::errors::AppError;
use crate::model::{CreateCommand, JobStatus};

/// Who asks for a charge, and what it must stay consistent with.
#[derive(Debug, Default, Clone, Copy)]
pub struct Enqueue<'a> {
    /// Written on the debit's ledger row: the owner, or the admin who retried a job for them.
    pub actor: Option<&'a str>,
    /// The infograph this one regenerates (a retry or "regenerate").
    pub regenerated_from: Option<&'a str>,
    pub idempotency: Option<&'a IdempotencyClaim>,
}

/// An `Idempotency-Key` and a digest of the request it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim {
    pub key: String,
    pub request_hash: String,
}

/// Keys are remembered this long.
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 60 * 60 * 1000;

pub enum Enqueued {
    /// Charged now: the new rows.
    New(Vec<InfographRow>),
    /// The key was seen within 24 h for the same request: its first answer, charged nothing.
    Replay { status_code: u16, body: String },
}

/// Charges the user and writes one `queued` row per requested image, all or nothing.
///
/// The debit is a conditional `UPDATE ... WHERE credit_balance >= cost`: the database serialises
/// concurrent creates, so a balance can never go below zero however many race. With an
/// idempotency key, the key's row is inserted first in the same transaction and the answer
/// (`respond`) stored with it before commit: a concurrent retry with the same key waits on the
/// primary key (PostgreSQL) or the write queue (SQLite) and then replays that answer.
pub async fn charge_and_enqueue(
    db: &Db,
    user_id: &str,
    cmd: &CreateCommand,
    opts: Enqueue<'_>,
    respond: impl Fn(&[InfographRow]) -> (u16, String),
) -> Result<Enqueued, AppError> {
    let cost = cmd.cost();
    let now = now_ms();
    let batch_id = new_id();
    let write = db.write_guard().await;
    let mut tx = db.pool.begin().await?;
    if let Some(claim) = opts.idempotency {
        if !claim_idempotency_key(&mut tx, user_id, claim, now).await? {
            tx.rollback().await?;
            drop(write);
            return replay(db, user_id, claim).await;
        }
    }
    let debited = sqlx::query(
        "UPDATE users SET credit_balance = credit_balance - $1 WHERE id = $2 AND credit_balance >= $1",
    )
    .bind(cost)
    .bind(user_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if debited != 1 {
        tx.rollback().await?;
        drop(write);
        let balance: i64 = sqlx::query_scalar("SELECT credit_balance FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&db.pool)
            .await?
            .ok_or(AppError::Unauthorized)?;
        return Err(AppError::NotEnoughCredits { required: cost, balance });
    }
    sqlx::query(
        "INSERT INTO credit_ledger (id, user_id, amount, reason, batch_id, actor, created_at) \
         VALUES ($1, $2, $3, 'debit', $4, $5, $6)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(-cost)
    .bind(&batch_id)
    .bind(opts.actor.unwrap_or(user_id))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let per_image = cmd.resolution.credits_per_image();
    let mut rows = Vec::with_capacity(cmd.count as usize);
    for _ in 0..cmd.count {
        let row = sqlx::query_as::<_, InfographRow>(&format!(
            "INSERT INTO infographs (id, user_id, batch_id, user_prompt, blog_url, aspect_ratio, \
             resolution, cost, status, created_at, updated_at, regenerated_from) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $9, $10) RETURNING {INFOGRAPH_COLUMNS}"
        ))
        .bind(new_id())
        .bind(user_id)
        .bind(&batch_id)
        .bind(&cmd.prompt)
        .bind(cmd.blog_url.as_ref().map(|u| u.as_str()))
        .bind(cmd.aspect_ratio.as_fal())
        .bind(cmd.resolution.as_str())
        .bind(per_image)
        .bind(now)
        .bind(opts.regenerated_from)
        .fetch_one(&mut *tx)
        .await?;
        rows.push(row);
    }
    if let Some(claim) = opts.idempotency {
        let (status_code, body) = respond(&rows);
        sqlx::query(
            "UPDATE idempotency_keys SET status_code = $1, response = $2 WHERE user_id = $3 AND idem_key = $4",
        )
        .bind(i64::from(status_code))
        .bind(body)
        .bind(user_id)
        .bind(&claim.key)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Enqueued::New(rows))
}

/// Inserts the key's row (or takes over an expired one). `false`: a live row exists.
async fn claim_idempotency_key(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: &str,
    claim: &IdempotencyClaim,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status_code, response, created_at) \
         VALUES ($1, $2, $3, 0, '', $4) \
         ON CONFLICT (user_id, idem_key) DO UPDATE SET request_hash = excluded.request_hash, \
           status_code = 0, response = '', created_at = excluded.created_at \
         WHERE idempotency_keys.created_at < $5",
    )
    .bind(user_id)
    .bind(&claim.key)
    .bind(&claim.request_hash)
    .bind(now)
    .bind(now - IDEMPOTENCY_TTL_MS)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// The stored first answer for this key, if one from the last 24 h exists: a retry is answered
/// before anything else (rate limits, blog checks) can turn it into a different answer.
pub async fn stored_replay(db: &Db, user_id: &str, claim: &IdempotencyClaim) -> Result<Option<Enqueued>, AppError> {
    let live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2 AND created_at >= $3 AND status_code > 0",
    )
    .bind(user_id)
    .bind(&claim.key)
    .bind(now_ms() - IDEMPOTENCY_TTL_MS)
    .fetch_one(&db.pool)
    .await?;
    if live == 0 {
        return Ok(None);
    }
    replay(db, user_id, claim).await.map(Some)
}

async fn replay(db: &Db, user_id: &str, claim: &IdempotencyClaim) -> Result<Enqueued, AppError> {
    let stored: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT request_hash, status_code, response FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2",
    )
    .bind(user_id)
    .bind(&claim.key)
    .fetch_optional(&db.pool)
    .await?;
    match stored {
        Some((hash, _, _)) if hash != claim.request_hash => Err(AppError::invalid_field(
            "Idempotency-Key",
            "was already used with a different request in the last 24 hours",
        )),
        Some((_, status_code, body)) if status_code > 0 => {
            Ok(Enqueued::Replay { status_code: u16::try_from(status_code).unwrap_or(201), body })
        }
        // Only visible inside the writing transaction; reaching here means a race we lost oddly.
        _ => Err(AppError::Conflict("a request with this Idempotency-Key is still being processed".into())),
    }
}

/// Forgets keys older than 24 h.
pub async fn purge_idempotency_keys(db: &Db) -> Result<u64, sqlx::Error> {
    let _write = db.write_guard().await;
    Ok(sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(now_ms() - IDEMPOTENCY_TTL_MS)
        .execute(&db.pool)
        .await?
        .rows_affected())
}

/// Ends a job as failed and refunds its cost, exactly once.
///
/// Returns `false` (and changes nothing) when the job is already final: a duplicate webhook, a
/// reconciler racing a webhook, or a second instance. The status guard in the `UPDATE` decides
/// the race; the unique index on refund ledger rows is the backstop. A job whose owner asked for a
/// cancel ends marked cancelled.
pub async fn fail_and_refund(db: &Db, id: &str, message: &str) -> Result<bool, sqlx::Error> {
    end_with_refund(db, id, message, "", "CASE WHEN cancel_requested_at IS NOT NULL THEN $2 END").await
}

/// Cancels a job that was never handed to fal, with a refund. Returns `false` when the job has
/// moved on (a worker recorded its intent to submit, or it ended): the guard on
/// `submit_started_at` is the same one the worker's intent write checks, so exactly one wins.
pub async fn cancel_unsubmitted(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    end_with_refund(
        db,
        id,
        "Cancelled before it started.",
        "AND status = 'queued' AND submit_started_at IS NULL",
        "$2",
    )
    .await
}

async fn end_with_refund(
    db: &Db,
    id: &str,
    message: &str,
    guard: &str,
    cancelled_at: &str,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let _write = db.write_guard().await;
    let mut tx = db.pool.begin().await?;
    let failed: Option<(String, i64)> = sqlx::query_as(&format!(
        "UPDATE infographs SET status = 'failed', error_message = $1, refunded_at = $2, \
         completed_at = $2, updated_at = $2, lease_until = NULL, version = version + 1, \
         cancelled_at = {cancelled_at} \
         WHERE id = $3 AND status IN ({}) {guard} RETURNING user_id, cost",
        predecessors_sql(JobStatus::Failed)
    ))
    .bind(message)
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, cost)) = failed else {
        tx.rollback().await?;
        return Ok(false);
    };
    sqlx::query(
        "INSERT INTO credit_ledger (id, user_id, amount, reason, infograph_id, actor, created_at) \
         VALUES ($1, $2, $3, 'refund', $4, 'system', $5)",
    )
    .bind(new_id())
    .bind(&user_id)
    .bind(cost)
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE users SET credit_balance = credit_balance + $1 WHERE id = $2")
        .bind(cost)
        .bind(&user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(infograph = id, cost, "job failed; credits refunded");
    Ok(true)
}

/// Marks a processing job completed. Returns `false` when it was not processing (duplicate).
pub async fn complete(
    db: &Db,
    id: &str,
    image_url: &str,
    width: Option<i64>,
    height: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let _write = db.write_guard().await;
    let done = sqlx::query(&format!(
        "UPDATE infographs SET status = 'completed', image_url = $1, width = $2, height = $3, \
         completed_at = $4, updated_at = $4, lease_until = NULL, version = version + 1 \
         WHERE id = $5 AND status IN ({})",
        predecessors_sql(JobStatus::Completed)
    ))
    .bind(image_url)
    .bind(width)
    .bind(height)
    .bind(now)
    .bind(id)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Adds (or with a negative amount removes) credits by hand, with the actor on the ledger row.
pub async fn grant(db: &Db, user_id: &str, amount: i64, actor: &str) -> Result<i64, AppError> {
    if amount == 0 {
        return Err(AppError::invalid_field("amount", "must not be zero"));
    }
    let _write = db.write_guard().await;
    let mut tx = db.pool.begin().await?;
    let balance: Option<i64> = sqlx::query_scalar(
        "UPDATE users SET credit_balance = credit_balance + $1 \
         WHERE id = $2 AND credit_balance + $1 >= 0 RETURNING credit_balance",
    )
    .bind(amount)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(balance) = balance else {
        tx.rollback().await?;
        return Err(AppError::invalid_field("amount", "would make the balance negative"));
    };
    sqlx::query(
        "INSERT INTO credit_ledger (id, user_id, amount, reason, actor, created_at) \
         VALUES ($1, $2, $3, 'grant', $4, $5)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(amount)
    .bind(actor)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(balance)
}

pub async fn ledger_sum(db: &Db, user_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_ledger WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&db.pool)
        .await
}

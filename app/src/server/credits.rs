//! Credits and the job state transitions that move them. Every balance change is one ledger row
//! written in the same transaction as the balance update, so `users.credit_balance` always equals
//! the sum of the user's ledger.

use super::db::{new_id, now_ms, predecessors_sql, Db, InfographRow, INFOGRAPH_COLUMNS};
use crate::errors::AppError;
use crate::model::{CreateCommand, JobStatus};

/// Charges the user and writes one `queued` row per requested image, all or nothing.
///
/// The debit is a conditional `UPDATE ... WHERE credit_balance >= cost`: the database serialises
/// concurrent creates, so a balance can never go below zero however many race.
pub async fn charge_and_enqueue(
    db: &Db,
    user_id: &str,
    cmd: &CreateCommand,
) -> Result<Vec<InfographRow>, AppError> {
    let cost = cmd.cost();
    let now = now_ms();
    let batch_id = new_id();
    let write = db.write_guard().await;
    let mut tx = db.pool.begin().await?;
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
         VALUES ($1, $2, $3, 'debit', $4, $2, $5)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(-cost)
    .bind(&batch_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let per_image = cmd.resolution.credits_per_image();
    let mut rows = Vec::with_capacity(cmd.count as usize);
    for _ in 0..cmd.count {
        let row = sqlx::query_as::<_, InfographRow>(&format!(
            "INSERT INTO infographs (id, user_id, batch_id, user_prompt, blog_url, aspect_ratio, \
             resolution, cost, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $9) RETURNING {INFOGRAPH_COLUMNS}"
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
        .fetch_one(&mut *tx)
        .await?;
        rows.push(row);
    }
    tx.commit().await?;
    Ok(rows)
}

/// Ends a job as failed and refunds its cost, exactly once.
///
/// Returns `false` (and changes nothing) when the job is already final: a duplicate webhook, a
/// reconciler racing a webhook, or a second instance. The status guard in the `UPDATE` decides
/// the race; the unique index on refund ledger rows is the backstop.
pub async fn fail_and_refund(db: &Db, id: &str, message: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let _write = db.write_guard().await;
    let mut tx = db.pool.begin().await?;
    let failed: Option<(String, i64)> = sqlx::query_as(&format!(
        "UPDATE infographs SET status = 'failed', error_message = $1, refunded_at = $2, \
         completed_at = $2, updated_at = $2, lease_until = NULL, version = version + 1 \
         WHERE id = $3 AND status IN ({}) RETURNING user_id, cost",
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

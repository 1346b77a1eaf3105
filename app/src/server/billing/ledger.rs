//! Credits: an append-only ledger (`credit_ledger`) beside the balance on `users`. Every balance
//! change is one ledger row written in the same transaction as the balance update, so
//! `users.credit_balance` always equals the sum of the user's ledger. These functions only move
//! credits; the job transitions that charge and refund call them inside their own transactions
//! (see `jobs::repo`), and so do purchases (`billing::purchase_repo`).

use crate::errors::AppError;
use crate::server::platform::db::{new_id, now_ms, Conn, Db};

/// Takes `cost` from the balance if it covers it, with a `debit` row for the batch. `false`
/// (nothing written) when it does not: the conditional `UPDATE` is what makes racing creates
/// unable to overspend, the database serialises them.
pub async fn debit(conn: &mut Conn, user_id: &str, cost: i64, batch_id: &str, actor: &str, now: i64) -> Result<bool, sqlx::Error> {
    let debited = sqlx::query("UPDATE users SET credit_balance = credit_balance - $1 WHERE id = $2 AND credit_balance >= $1")
        .bind(cost)
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if debited != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO credit_ledger (id, user_id, amount, reason, batch_id, actor, created_at) \
         VALUES ($1, $2, $3, 'debit', $4, $5, $6)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(-cost)
    .bind(batch_id)
    .bind(actor)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Gives one infograph's cost back. A unique index on refund rows per infograph makes a second
/// refund fail the transaction, the backstop behind the status guard of the caller.
pub async fn refund(conn: &mut Conn, user_id: &str, amount: i64, infograph_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO credit_ledger (id, user_id, amount, reason, infograph_id, actor, created_at) \
         VALUES ($1, $2, $3, 'refund', $4, 'system', $5)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(amount)
    .bind(infograph_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE users SET credit_balance = credit_balance + $1 WHERE id = $2")
        .bind(amount)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A paid purchase's credits. A unique index allows one `purchase` row per purchase: a second
/// credit fails the transaction, the backstop behind the purchase's status guard.
pub async fn credit_purchase(conn: &mut Conn, user_id: &str, credits: i64, purchase_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO credit_ledger (id, user_id, amount, reason, purchase_id, actor, created_at) \
         VALUES ($1, $2, $3, 'purchase', $4, 'stripe', $5)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(credits)
    .bind(purchase_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE users SET credit_balance = credit_balance + $1 WHERE id = $2")
        .bind(credits)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes back up to `credits` of a refunded purchase, never more than the balance holds, and
/// records it: one `purchase_refund` row (zero when everything had been spent), whose note says
/// how many could not be taken back. Returns how many were taken.
pub async fn claw_back(conn: &mut Conn, user_id: &str, credits: i64, purchase_id: &str, now: i64) -> Result<i64, sqlx::Error> {
    let balance: i64 = sqlx::query_scalar("SELECT credit_balance FROM users WHERE id = $1").bind(user_id).fetch_one(&mut *conn).await?;
    let taken = credits.clamp(0, balance.max(0));
    if taken > 0 {
        // Guarded like a debit: a concurrent charge cannot make this overdraw.
        let done = sqlx::query("UPDATE users SET credit_balance = credit_balance - $1 WHERE id = $2 AND credit_balance >= $1")
            .bind(taken)
            .bind(user_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if done != 1 {
            return Err(sqlx::Error::RowNotFound);
        }
    }
    let spent = credits - taken;
    let note = (spent > 0).then(|| format!("{spent} refunded credit{} already spent", if spent == 1 { " was" } else { "s were" }));
    sqlx::query(
        "INSERT INTO credit_ledger (id, user_id, amount, reason, purchase_id, actor, note, created_at) \
         VALUES ($1, $2, $3, 'purchase_refund', $4, 'stripe', $5, $6)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(-taken)
    .bind(purchase_id)
    .bind(note)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(taken)
}

/// The `signup` row of an account created with `credits` already on its balance.
pub async fn record_signup(conn: &mut Conn, user_id: &str, credits: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO credit_ledger (id, user_id, amount, reason, actor, created_at) VALUES ($1, $2, $3, 'signup', 'system', $4)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(credits)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds (or with a negative amount removes) credits by hand, with the actor on the ledger row.
/// `None` (nothing written) when it would make the balance negative.
pub async fn grant(db: &Db, user_id: &str, amount: i64, actor: &str) -> Result<Option<i64>, sqlx::Error> {
    let w = db.write().await;
    let mut tx = w.begin().await?;
    let balance: Option<i64> = sqlx::query_scalar(
        "UPDATE users SET credit_balance = credit_balance + $1 WHERE id = $2 AND credit_balance + $1 >= 0 RETURNING credit_balance",
    )
    .bind(amount)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(balance) = balance else {
        tx.rollback().await?;
        return Ok(None);
    };
    sqlx::query("INSERT INTO credit_ledger (id, user_id, amount, reason, actor, created_at) VALUES ($1, $2, $3, 'grant', $4, $5)")
        .bind(new_id())
        .bind(user_id)
        .bind(amount)
        .bind(actor)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(balance))
}

/// [`grant`] for people (an admin, the CLI): zero is refused, and so is overdrawing.
pub async fn adjust(db: &Db, user_id: &str, amount: i64, actor: &str) -> Result<i64, AppError> {
    if amount == 0 {
        return Err(AppError::invalid_field("amount", "must not be zero"));
    }
    grant(db, user_id, amount, actor)
        .await?
        .ok_or_else(|| AppError::invalid_field("amount", "would make the balance negative"))
}

pub async fn balance(db: &Db, user_id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT credit_balance FROM users WHERE id = $1").bind(user_id).fetch_optional(db.read()).await
}

/// The sum of the user's ledger rows (always their balance; the tests check it).
pub async fn sum(db: &Db, user_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_ledger WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(db.read())
        .await
}

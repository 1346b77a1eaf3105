//! Credits: an append-only ledger (`credit_ledger`) beside the balance on `users`. Every credit
//! movement is one [`Entry`], and [`post`] is the only code that changes a balance: it writes the
//! ledger row and the balance update together, inside the caller's transaction, so
//! `users.credit_balance` always equals the sum of the user's ledger. The functions below name
//! the movements; the job transitions that charge and refund call them inside their own
//! transactions (see `jobs::repo`), and so do purchases (`billing::purchase_repo`) and accounts
//! (sign-up credits).

use crate::errors::AppError;
use crate::server::platform::db::{new_id, now_ms, Conn, Db};
use crate::server::platform::metrics;

/// One credit movement: the ledger row, whose `amount` is also what the balance moves by.
struct Entry<'a> {
    user_id: &'a str,
    amount: i64,
    reason: &'static str,
    actor: &'a str,
    /// What it is for: a create's batch, an infograph, a purchase (at most one).
    batch_id: Option<&'a str>,
    infograph_id: Option<&'a str>,
    purchase_id: Option<&'a str>,
    note: Option<String>,
    at: i64,
}

impl<'a> Entry<'a> {
    fn new(user_id: &'a str, amount: i64, reason: &'static str, actor: &'a str, at: i64) -> Self {
        Self { user_id, amount, reason, actor, batch_id: None, infograph_id: None, purchase_id: None, note: None, at }
    }
}

/// Moves the balance by the entry's amount and writes its ledger row. `None` (nothing written)
/// when the balance would go below zero: the conditional `UPDATE` is what makes racing charges
/// unable to overspend, the database serialises them. Otherwise the new balance.
async fn post(conn: &mut Conn, entry: &Entry<'_>) -> Result<Option<i64>, sqlx::Error> {
    let balance: Option<i64> = sqlx::query_scalar(
        "UPDATE users SET credit_balance = credit_balance + $1 WHERE id = $2 AND credit_balance + $1 >= 0 RETURNING credit_balance",
    )
    .bind(entry.amount)
    .bind(entry.user_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(balance) = balance else { return Ok(None) };
    sqlx::query(
        "INSERT INTO credit_ledger (id, user_id, amount, reason, batch_id, infograph_id, purchase_id, actor, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(entry.user_id)
    .bind(entry.amount)
    .bind(entry.reason)
    .bind(entry.batch_id)
    .bind(entry.infograph_id)
    .bind(entry.purchase_id)
    .bind(entry.actor)
    .bind(entry.note.as_deref())
    .bind(entry.at)
    .execute(conn)
    .await?;
    // Counted once written; a caller's transaction rolled back later (rare) still counts.
    metrics::credits_moved(entry.reason, entry.amount);
    Ok(Some(balance))
}

/// [`post`] for a movement that adds credits, which nothing refuses: `None` would mean the
/// user is gone, an error that rolls the caller's transaction back.
async fn post_credit(conn: &mut Conn, entry: &Entry<'_>) -> Result<i64, sqlx::Error> {
    post(conn, entry).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Takes `cost` from the balance if it covers it, with a `debit` row for the batch. `false`
/// (nothing written) when it does not.
pub async fn debit(conn: &mut Conn, user_id: &str, cost: i64, batch_id: &str, actor: &str, now: i64) -> Result<bool, sqlx::Error> {
    let entry = Entry { batch_id: Some(batch_id), ..Entry::new(user_id, -cost, "debit", actor, now) };
    Ok(post(conn, &entry).await?.is_some())
}

/// Gives one infograph's cost back. A unique index on refund rows per infograph makes a second
/// refund fail the transaction, the backstop behind the status guard of the caller.
pub async fn refund(conn: &mut Conn, user_id: &str, amount: i64, infograph_id: &str, now: i64) -> Result<(), sqlx::Error> {
    post_credit(conn, &Entry { infograph_id: Some(infograph_id), ..Entry::new(user_id, amount, "refund", "system", now) }).await?;
    Ok(())
}

/// A paid purchase's credits. A unique index allows one `purchase` row per purchase: a second
/// credit fails the transaction, the backstop behind the purchase's status guard.
pub async fn credit_purchase(conn: &mut Conn, user_id: &str, credits: i64, purchase_id: &str, now: i64) -> Result<(), sqlx::Error> {
    post_credit(conn, &Entry { purchase_id: Some(purchase_id), ..Entry::new(user_id, credits, "purchase", "stripe", now) }).await?;
    Ok(())
}

/// Takes back up to `credits` of a refunded purchase, never more than the balance holds, and
/// records it: one `purchase_refund` row (zero when everything had been spent), whose note says
/// how many could not be taken back. Returns how many were taken.
pub async fn claw_back(conn: &mut Conn, user_id: &str, credits: i64, purchase_id: &str, now: i64) -> Result<i64, sqlx::Error> {
    let balance: i64 = sqlx::query_scalar("SELECT credit_balance FROM users WHERE id = $1").bind(user_id).fetch_one(&mut *conn).await?;
    let taken = credits.clamp(0, balance.max(0));
    let spent = credits - taken;
    let note = (spent > 0).then(|| format!("{spent} refunded credit{} already spent", if spent == 1 { " was" } else { "s were" }));
    let entry = Entry { purchase_id: Some(purchase_id), note, ..Entry::new(user_id, -taken, "purchase_refund", "stripe", now) };
    // Guarded like a debit: a charge that raced the read above cannot make this overdraw; it
    // fails instead, and Stripe delivers the refund again.
    post(conn, &entry).await?.ok_or(sqlx::Error::RowNotFound)?;
    Ok(taken)
}

/// The sign-up credits of a new or newly confirmed account, with their `signup` row. Returns
/// the balance they make.
pub async fn credit_signup(conn: &mut Conn, user_id: &str, credits: i64, now: i64) -> Result<i64, sqlx::Error> {
    post_credit(conn, &Entry::new(user_id, credits, "signup", "system", now)).await
}

/// Adds (or with a negative amount removes) credits by hand, with the actor on the ledger row.
/// `None` (nothing written) when it would make the balance negative.
pub async fn grant(db: &Db, user_id: &str, amount: i64, actor: &str) -> Result<Option<i64>, sqlx::Error> {
    let w = db.write().await;
    let mut tx = w.begin().await?;
    let Some(balance) = post(&mut tx, &Entry::new(user_id, amount, "grant", actor, now_ms())).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
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

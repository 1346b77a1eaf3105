//! The `purchases` table: every read and every write. Status changes are guarded `UPDATE`s
//! (`pending → succeeded | failed`, and `failed → succeeded` when Stripe later says the money
//! came after all); crediting is the `succeeded` change and the ledger's `purchase` row in one
//! transaction, so racing webhooks and reconcilers credit once.

use super::ledger;
use crate::model::billing::{PurchaseStatus, PurchaseView};
use crate::server::platform::db::{now_ms, plausible_id, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PurchaseRow {
    pub id: String,
    pub user_id: String,
    pub pack: String,
    pub credits: i64,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    pub payment_intent_id: Option<String>,
    pub failure_reason: Option<String>,
    pub refunded_amount: i64,
    pub refunded_credits: i64,
    pub clawed_back: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
    pub reconcile_at: i64,
}

const COLUMNS: &str = "id, user_id, pack, credits, amount, currency, status, payment_intent_id, failure_reason, \
    refunded_amount, refunded_credits, clawed_back, created_at, updated_at, completed_at, reconcile_at";

impl PurchaseRow {
    pub fn status(&self) -> PurchaseStatus {
        // The CHECK constraint keeps the column to the three known values.
        PurchaseStatus::parse(&self.status).unwrap_or(PurchaseStatus::Failed)
    }

    pub fn view(&self) -> PurchaseView {
        PurchaseView {
            id: self.id.clone(),
            pack: self.pack.clone(),
            credits: self.credits,
            amount: self.amount,
            currency: self.currency.clone(),
            status: self.status(),
            failure_reason: self.failure_reason.clone(),
            refunded_credits: self.refunded_credits,
            refunded_amount: self.refunded_amount,
            created_at: self.created_at,
            completed_at: self.completed_at,
        }
    }
}

/// A new purchase, pending until Stripe says otherwise.
pub struct NewPurchase<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub pack: &'a str,
    pub credits: i64,
    pub amount: i64,
    pub currency: &'a str,
    /// When the reconciler first asks Stripe about it.
    pub reconcile_at: i64,
}

pub async fn insert(db: &Db, p: &NewPurchase<'_>) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    sqlx::query(
        "INSERT INTO purchases (id, user_id, pack, credits, amount, currency, status, created_at, updated_at, reconcile_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, $8)",
    )
    .bind(p.id)
    .bind(p.user_id)
    .bind(p.pack)
    .bind(p.credits)
    .bind(p.amount)
    .bind(p.currency)
    .bind(now)
    .bind(p.reconcile_at)
    .execute(w.pool())
    .await?;
    Ok(())
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<PurchaseRow>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM purchases WHERE id = $1")).bind(id).fetch_optional(db.read()).await
}

pub async fn owned(db: &Db, user_id: &str, id: &str) -> Result<Option<PurchaseRow>, sqlx::Error> {
    Ok(by_id(db, id).await?.filter(|p| p.user_id == user_id))
}

pub async fn by_payment_intent(db: &Db, payment_intent_id: &str) -> Result<Option<PurchaseRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM purchases WHERE payment_intent_id = $1"))
        .bind(payment_intent_id)
        .fetch_optional(db.read())
        .await
}

/// The user's purchases, newest first.
pub async fn list_owned(db: &Db, user_id: &str, limit: i64) -> Result<Vec<PurchaseRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM purchases WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2"))
        .bind(user_id)
        .bind(limit)
        .fetch_all(db.read())
        .await
}

/// Everyone's purchases, newest first (the admin dashboard).
pub async fn list_all(db: &Db, limit: i64) -> Result<Vec<(PurchaseRow, String)>, sqlx::Error> {
    let rows: Vec<PurchaseRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM purchases ORDER BY created_at DESC, id LIMIT $1"))
        .bind(limit)
        .fetch_all(db.read())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1").bind(&row.user_id).fetch_one(db.read()).await?;
        out.push((row, email));
    }
    Ok(out)
}

/// Revenue figures for the admin dashboard: (succeeded purchases, amount paid, amount refunded,
/// purchases with a refund), all in the smallest currency unit.
pub async fn totals(db: &Db) -> Result<(i64, i64, i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount), 0) AS BIGINT), CAST(COALESCE(SUM(refunded_amount), 0) AS BIGINT), \
         COUNT(CASE WHEN refunded_amount > 0 THEN 1 END) FROM purchases WHERE status = 'succeeded'",
    )
    .fetch_one(db.read())
    .await
}

/// Records the PaymentIntent Stripe made for a purchase (once: it never changes).
pub async fn set_payment_intent(db: &Db, id: &str, payment_intent_id: &str) -> Result<(), sqlx::Error> {
    let w = db.write().await;
    sqlx::query("UPDATE purchases SET payment_intent_id = $1, updated_at = $2 WHERE id = $3 AND payment_intent_id IS NULL")
        .bind(payment_intent_id)
        .bind(now_ms())
        .bind(id)
        .execute(w.pool())
        .await?;
    Ok(())
}

/// Paid: `succeeded` and its credits, in one transaction. `false` when it already was (a
/// repeated webhook, a reconciler that got there first): nothing is credited twice.
pub async fn credit(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    let mut tx = w.begin().await?;
    let claimed: Option<(String, i64)> = sqlx::query_as(
        "UPDATE purchases SET status = 'succeeded', failure_reason = NULL, completed_at = $1, updated_at = $1 \
         WHERE id = $2 AND status IN ('pending', 'failed') RETURNING user_id, credits",
    )
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, credits)) = claimed else {
        tx.rollback().await?;
        return Ok(false);
    };
    ledger::credit_purchase(&mut tx, &user_id, credits, id, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Not paid: `failed` with the reason. Only a pending purchase fails (a paid one stays paid).
pub async fn fail(db: &Db, id: &str, reason: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    let done = sqlx::query(
        "UPDATE purchases SET status = 'failed', failure_reason = $1, completed_at = $2, updated_at = $2 \
         WHERE id = $3 AND status = 'pending'",
    )
    .bind(reason)
    .bind(now)
    .bind(id)
    .execute(w.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stripe refunded `amount` of the purchase so far (cumulative), which stands for `credits`:
/// the credits not taken back yet are, as far as the balance allows. `None` when there was
/// nothing new (a repeated event); else how many credits were taken back now. An error when a
/// racing event changed the purchase first: the caller answers so that Stripe retries.
pub async fn record_refund(db: &Db, id: &str, amount: i64, credits: i64) -> Result<Option<i64>, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    let mut tx = w.begin().await?;
    let before: Option<(String, i64)> = sqlx::query_as("SELECT user_id, refunded_credits FROM purchases WHERE id = $1 AND status = 'succeeded'")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((user_id, refunded_before)) = before.filter(|(_, before)| credits > *before) else {
        tx.rollback().await?;
        return Ok(None);
    };
    // Guarded by what was read: a racing event for the same refund finds nothing to change.
    let moved = sqlx::query("UPDATE purchases SET refunded_amount = $1, refunded_credits = $2, updated_at = $3 WHERE id = $4 AND refunded_credits = $5")
        .bind(amount)
        .bind(credits)
        .bind(now)
        .bind(id)
        .bind(refunded_before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if moved != 1 {
        // Another event for this purchase changed it meanwhile (PostgreSQL, no row lock here):
        // an error, so Stripe delivers this one again and it is applied over the new state.
        tx.rollback().await?;
        return Err(sqlx::Error::RowNotFound);
    }
    let taken = ledger::claw_back(&mut tx, &user_id, credits - refunded_before, id, now).await?;
    sqlx::query("UPDATE purchases SET clawed_back = clawed_back + $1 WHERE id = $2").bind(taken).bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Some(taken))
}

/// Claims up to `limit` pending purchases due for a look at Stripe, pushing each one's next look
/// `retry_ms` on (so instances share the work and a failed look is retried later).
pub async fn claim_due(db: &Db, retry_ms: i64, limit: i64) -> Result<Vec<PurchaseRow>, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    let mut tx = w.begin().await?;
    let due: Vec<PurchaseRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM purchases WHERE status = 'pending' AND reconcile_at <= $1 ORDER BY reconcile_at LIMIT $2{}",
        db.skip_locked()
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    for row in &due {
        sqlx::query("UPDATE purchases SET reconcile_at = $1 WHERE id = $2").bind(now + retry_ms).bind(&row.id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(due)
}

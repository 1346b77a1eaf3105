//! `Idempotency-Key`: a retried request gets the first answer instead of being charged again.
//!
//! The key's row is inserted in the transaction that does the work, and the answer is saved in
//! that same transaction before it commits ([`try_start`], then [`save_response`]). A concurrent
//! retry with the same key waits on the row's primary key (PostgreSQL) or on the writers' turn
//! (SQLite), then finds the committed answer and replays it; if the first attempt rolled back
//! (not enough credits, say) nothing was stored and the retry runs afresh. A key is bound to a
//! digest of its request, so the same key with another body is refused rather than answered for
//! the first one. Keys are remembered for 24 hours.

use crate::errors::AppError;
use crate::server::platform::db::{now_ms, Conn, Db, WriteTx, Writer};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Keys are remembered this long.
pub const TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// A checked key, bound to the request it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    key: String,
    request_hash: String,
}

impl IdempotencyKey {
    /// `request`: the validated request, in a canonical form (the same request, however it was
    /// spelt, must give the same value).
    pub fn new(key: &str, request: &impl Serialize) -> Result<Self, AppError> {
        let key = key.trim();
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::invalid_field("Idempotency-Key", "must be 1 to 255 visible ASCII characters"));
        }
        let canonical = serde_json::to_vec(request).map_err(|_| AppError::Internal)?;
        let digest = <sha2::Sha256 as sha2::Digest>::digest(&canonical);
        Ok(Self { key: key.to_string(), request_hash: hex::encode(digest) })
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }
}

/// The first answer to a key: its status and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved<T> {
    pub status_code: u16,
    pub response: T,
}

pub enum NextAction<'w, T> {
    /// The key is new (or expired): do the work in this transaction and save the answer in it.
    Start(WriteTx<'w>),
    /// The key was answered within 24 h for the same request: replay that answer.
    Replay(Saved<T>),
}

/// Opens the work's transaction with the key's row in it, or finds the key's saved answer.
pub async fn try_start<'w, T: DeserializeOwned>(
    writer: &'w Writer<'_>,
    user_id: &str,
    key: &IdempotencyKey,
) -> Result<NextAction<'w, T>, AppError> {
    let mut tx = writer.begin().await?;
    if claim(&mut tx, user_id, key, now_ms()).await? {
        return Ok(NextAction::Start(tx));
    }
    let saved = saved_answer(&mut tx, user_id, key).await;
    tx.rollback().await?;
    saved.map(NextAction::Replay)
}

/// Inserts the key's row, or takes over an expired one. `false`: a live row exists.
async fn claim(conn: &mut Conn, user_id: &str, key: &IdempotencyKey, now: i64) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status_code, response, created_at) \
         VALUES ($1, $2, $3, 0, '', $4) \
         ON CONFLICT (user_id, idem_key) DO UPDATE SET request_hash = excluded.request_hash, \
           status_code = 0, response = '', created_at = excluded.created_at \
         WHERE idempotency_keys.created_at < $5",
    )
    .bind(user_id)
    .bind(&key.key)
    .bind(&key.request_hash)
    .bind(now)
    .bind(now - TTL_MS)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

async fn saved_answer<T: DeserializeOwned>(conn: &mut Conn, user_id: &str, key: &IdempotencyKey) -> Result<Saved<T>, AppError> {
    let stored: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT request_hash, status_code, response FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2",
    )
    .bind(user_id)
    .bind(&key.key)
    .fetch_optional(conn)
    .await?;
    match stored {
        Some((hash, _, _)) if hash != key.request_hash => Err(AppError::invalid_field(
            "Idempotency-Key",
            "was already used with a different request in the last 24 hours",
        )),
        Some((_, status_code, body)) if status_code > 0 => {
            let response = serde_json::from_str(&body).map_err(|e| {
                tracing::error!(error = %e, "a stored idempotent response is unreadable");
                AppError::Internal
            })?;
            Ok(Saved { status_code: u16::try_from(status_code).unwrap_or(200), response })
        }
        // Only visible inside the writing transaction; reaching here means a race we lost oddly.
        _ => Err(AppError::Conflict("a request with this Idempotency-Key is still being processed".into())),
    }
}

/// Saves the answer with the key, in the work's transaction (the caller commits).
pub async fn save_response<T: Serialize>(
    conn: &mut Conn,
    user_id: &str,
    key: &IdempotencyKey,
    saved: &Saved<T>,
) -> Result<(), AppError> {
    let body = serde_json::to_string(&saved.response).map_err(|_| AppError::Internal)?;
    sqlx::query("UPDATE idempotency_keys SET status_code = $1, response = $2 WHERE user_id = $3 AND idem_key = $4")
        .bind(i64::from(saved.status_code))
        .bind(body)
        .bind(user_id)
        .bind(&key.key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets keys older than 24 h.
pub async fn purge_expired(db: &Db) -> Result<u64, sqlx::Error> {
    let w = db.write().await;
    Ok(sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(now_ms() - TTL_MS)
        .execute(w.pool())
        .await?
        .rows_affected())
}

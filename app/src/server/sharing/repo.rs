//! The `shares` table: one live link per infograph at most (a partial unique index), revoked
//! links kept so their page can say "gone".

use crate::server::platform::db::{now_ms, plausible_id, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShareRow {
    pub token: String,
    pub infograph_id: String,
    pub user_id: String,
    pub indexable: i64,
    pub views: i64,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "token, infograph_id, user_id, indexable, views, created_at, revoked_at";

/// Tokens are base64url; anything else cannot be one (and is not sent to the database).
pub fn plausible_token(token: &str) -> bool {
    (20..=64).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn by_token(db: &Db, token: &str) -> Result<Option<ShareRow>, sqlx::Error> {
    if !plausible_token(token) {
        return Ok(None);
    }
    one_where(db, "token = $1", token).await
}

/// The infograph's live link, if it has one.
pub async fn live_for(db: &Db, infograph_id: &str) -> Result<Option<ShareRow>, sqlx::Error> {
    if !plausible_id(infograph_id) {
        return Ok(None);
    }
    one_where(db, "infograph_id = $1 AND revoked_at IS NULL", infograph_id).await
}

/// The share `condition` (on `$1` = `value`) finds, if any.
async fn one_where(db: &Db, condition: &str, value: &str) -> Result<Option<ShareRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM shares WHERE {condition}")).bind(value).fetch_optional(db.read()).await
}

/// The live links' tokens of the given infographs (a user's list), by infograph.
pub async fn live_tokens(db: &Db, user_id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT infograph_id, token FROM shares WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user_id)
        .fetch_all(db.read())
        .await
}

/// Makes `token` the infograph's live link unless it already has one; either way, the live link.
/// Racing calls meet at the unique index: one insert wins, the others read it back.
pub async fn create_or_get(db: &Db, token: &str, infograph_id: &str, user_id: &str, indexable: bool) -> Result<ShareRow, sqlx::Error> {
    {
        let w = db.write().await;
        sqlx::query(
            "INSERT INTO shares (token, infograph_id, user_id, indexable, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (infograph_id) WHERE revoked_at IS NULL DO NOTHING",
        )
        .bind(token)
        .bind(infograph_id)
        .bind(user_id)
        .bind(i64::from(indexable))
        .bind(now_ms())
        .execute(w.pool())
        .await?;
    }
    live_for(db, infograph_id).await?.ok_or(sqlx::Error::RowNotFound)
}

pub async fn set_indexable(db: &Db, token: &str, indexable: bool) -> Result<(), sqlx::Error> {
    let w = db.write().await;
    sqlx::query("UPDATE shares SET indexable = $1 WHERE token = $2 AND revoked_at IS NULL")
        .bind(i64::from(indexable))
        .bind(token)
        .execute(w.pool())
        .await?;
    Ok(())
}

/// Ends the infograph's live link, if any. `true` when one was ended.
pub async fn revoke(db: &Db, infograph_id: &str) -> Result<bool, sqlx::Error> {
    let w = db.write().await;
    let done = sqlx::query("UPDATE shares SET revoked_at = $1 WHERE infograph_id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(infograph_id)
        .execute(w.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Counts one view of the public page.
pub async fn count_view(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    let w = db.write().await;
    sqlx::query("UPDATE shares SET views = views + 1 WHERE token = $1 AND revoked_at IS NULL")
        .bind(token)
        .execute(w.pool())
        .await?;
    Ok(())
}

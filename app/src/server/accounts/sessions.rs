//! Browser sessions: a random secret in an `HttpOnly` cookie, stored as its SHA-256, valid on
//! every instance that shares the database and revoked with the user by a foreign key.
//! Hand-rolled rather than tower-sessions: it is the same pattern as API tokens, and both must
//! be rows every instance reads.

use super::secrets::{random_token, token_hash};
use super::users::{UserRow, USER_COLUMNS};
use crate::server::platform::db::{now_ms, Conn, Db};

pub const SESSION_COOKIE: &str = "infograph_session";
pub const SESSION_DAYS: i64 = 30;

pub async fn create(db: &Db, user_id: &str) -> Result<String, sqlx::Error> {
    let token = random_token("");
    let now = now_ms();
    let w = db.write().await;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now)
        .bind(now + SESSION_DAYS * 24 * 3600 * 1000)
        .execute(w.pool())
        .await?;
    Ok(token)
}

pub async fn delete(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    let w = db.write().await;
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(token)).execute(w.pool()).await?;
    Ok(())
}

/// Ends every session of the user: "sign out everywhere".
pub async fn delete_all(db: &Db, user_id: &str) -> Result<u64, sqlx::Error> {
    let w = db.write().await;
    let mut conn = w.pool().acquire().await?;
    delete_all_in(&mut conn, user_id).await
}

/// [`delete_all`] inside the caller's transaction (a password reset: new password and signed-out
/// sessions together or not at all).
pub async fn delete_all_in(conn: &mut Conn, user_id: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(conn).await?.rows_affected())
}

/// Forgets expired sessions (they no longer sign anyone in; this keeps the table small).
pub async fn purge_expired(db: &Db) -> Result<u64, sqlx::Error> {
    let w = db.write().await;
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now_ms()).execute(w.pool()).await?.rows_affected())
}

/// The session's user, while the session has not expired.
pub async fn user(db: &Db, token: &str) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2"
    ))
    .bind(token_hash(token))
    .bind(now_ms())
    .fetch_optional(db.read())
    .await
}

pub fn cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", SESSION_DAYS * 24 * 3600)
}

pub fn clearing_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

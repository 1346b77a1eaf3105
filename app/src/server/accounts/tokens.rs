//! API tokens (`Authorization: Token <key>`): random secrets stored as their SHA-256, like
//! sessions, without expiry; named, listed with when they were made and last used, and
//! revocable one by one.

use super::secrets::{random_token, token_hash};
use super::users::{UserRow, USER_COLUMNS};
use crate::errors::AppError;
use crate::model::{default_token_name as default_name, ApiTokenView};
use crate::server::platform::db::{new_id, now_ms, plausible_id, Db};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Longest token name.
pub const NAME_MAX: usize = 60;
/// `last_used_at` is written at most this often per token: a polling client must not turn
/// every request into a write.
const LAST_USED_EVERY_MS: i64 = 60_000;

/// A token's name as given (trimmed), or why it cannot be one. No name (missing or blank) is an
/// empty string: [`create`] then picks the account's next default name.
pub fn checked_name(raw: Option<&str>) -> Result<String, AppError> {
    let name = raw.map(str::trim).unwrap_or_default();
    if name.chars().count() > NAME_MAX {
        return Err(AppError::invalid_field("name", format!("must be at most {NAME_MAX} characters")));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid_field("name", "must not contain control characters"));
    }
    Ok(name.to_string())
}

/// A new token for the user, shown once: its secret and what the list will show of it. An empty
/// `name` gets the account's next default ("Token 3"), so unnamed tokens stay told apart.
pub async fn create(db: &Db, user_id: &str, name: &str) -> Result<(String, ApiTokenView), sqlx::Error> {
    let name = match name {
        "" => default_name(&list(db, user_id).await?),
        given => given.to_string(),
    };
    let token = random_token("ig_");
    let view = ApiTokenView { id: new_id(), name, created_at: now_ms(), last_used_at: None };
    let w = db.write().await;
    sqlx::query("INSERT INTO api_tokens (token_hash, user_id, created_at, id, name) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(view.created_at)
        .bind(&view.id)
        .bind(&view.name)
        .execute(w.pool())
        .await?;
    Ok((token, view))
}

/// The user's tokens, newest first (never their secrets: only hashes are stored).
pub async fn list(db: &Db, user_id: &str) -> Result<Vec<ApiTokenView>, sqlx::Error> {
    let rows: Vec<(String, Option<String>, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id",
    )
    .bind(user_id)
    .fetch_all(db.read())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, created_at, last_used_at)| ApiTokenView {
            id,
            name: name.unwrap_or_else(|| "API token".into()),
            created_at,
            last_used_at,
        })
        .collect())
}

/// Revokes one of the user's tokens; `false` when it is not theirs (or already gone).
pub async fn revoke(db: &Db, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(false);
    }
    let w = db.write().await;
    let gone = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(w.pool())
        .await?
        .rows_affected();
    Ok(gone == 1)
}

/// Revokes every token of the user, in the caller's transaction (a password reset: see
/// `reset`). Returns how many there were.
pub async fn revoke_all_in(conn: &mut crate::server::platform::db::Conn, user_id: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(user_id).execute(conn).await?.rows_affected())
}

/// The token's user; notes the use (at most once a minute per token).
pub async fn user(db: &Db, token: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let hash = token_hash(token);
    let found = sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"
    ))
    .bind(&hash)
    .fetch_optional(db.read())
    .await?;
    if found.is_some() {
        let now = now_ms();
        let w = db.write().await;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
            .bind(now)
            .bind(&hash)
            .bind(now - LAST_USED_EVERY_MS)
            .execute(w.pool())
            .await?;
    }
    Ok(found)
}

/// Recently seen API tokens, so a polling client costs one query per request instead of two.
///
/// Holds users for at most [`TokenCache::TTL`]; callers use only the cached user's id (balances
/// are always re-read), and a token revocation, when one exists, takes effect within the TTL.
/// A plain map rather than a cache crate: bounded by clearing when full, which is all this needs.
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (UserRow, Instant)>>,
}

impl TokenCache {
    pub const TTL: Duration = Duration::from_secs(30);
    const MAX: usize = 10_000;

    /// Drops the user's cached tokens: after a revocation, this instance stops accepting the
    /// token at once (others within the TTL).
    pub fn forget_user(&self, user_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (user, _)| user.id != user_id);
        }
    }

    pub async fn user(&self, db: &Db, token: &str) -> Result<Option<UserRow>, sqlx::Error> {
        let hash = token_hash(token);
        if let Ok(entries) = self.entries.lock() {
            if let Some((user, at)) = entries.get(&hash) {
                if at.elapsed() < Self::TTL {
                    return Ok(Some(user.clone()));
                }
            }
        }
        let user = user(db, token).await?;
        if let (Some(user), Ok(mut entries)) = (&user, self.entries.lock()) {
            if entries.len() >= Self::MAX {
                entries.clear();
            }
            entries.insert(hash, (user.clone(), Instant::now()));
        }
        Ok(user)
    }
}

/// `Authorization: Token <key>` (the seed API's scheme); `Bearer` is accepted too.
pub fn from_authorization(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (matches!(scheme, "Token" | "token" | "Bearer" | "bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_header_schemes() {
        assert_eq!(from_authorization("Token abc"), Some("abc"));
        assert_eq!(from_authorization("Bearer abc"), Some("abc"));
        assert_eq!(from_authorization("Basic abc"), None);
        assert_eq!(from_authorization("Token "), None);
        assert_eq!(from_authorization("abc"), None);
    }

    fn named(names: &[&str]) -> Vec<ApiTokenView> {
        names.iter().map(|n| ApiTokenView { id: String::new(), name: n.to_string(), created_at: 0, last_used_at: None }).collect()
    }

    #[test]
    fn unnamed_tokens_are_numbered_and_never_share_a_name() {
        assert_eq!(default_name(&named(&[])), "Token 1");
        assert_eq!(default_name(&named(&["Created at sign-up"])), "Token 2");
        // Token 1 revoked, Token 2 kept: the next is not a second "Token 2".
        assert_eq!(default_name(&named(&["Token 2"])), "Token 3");
        assert_eq!(default_name(&named(&["Token 3", "Token 2", "x"])), "Token 4");
        assert!(checked_name(None).expect("ok").is_empty() && checked_name(Some("  ")).expect("ok").is_empty());
        assert_eq!(checked_name(Some(" Deploy ")).expect("ok"), "Deploy");
    }
}

//! API tokens (`Authorization: Token <key>`): random secrets stored as their SHA-256, like
//! sessions, without expiry.

use super::secrets::{random_token, token_hash};
use super::users::{UserRow, USER_COLUMNS};
use crate::server::platform::db::{now_ms, Db};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub async fn create(db: &Db, user_id: &str) -> Result<String, sqlx::Error> {
    let token = random_token("ig_");
    let w = db.write().await;
    sqlx::query("INSERT INTO api_tokens (token_hash, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now_ms())
        .execute(w.pool())
        .await?;
    Ok(token)
}

pub async fn user(db: &Db, token: &str) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"
    ))
    .bind(token_hash(token))
    .fetch_optional(db.read())
    .await
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
}

//! Accounts, password hashing, browser sessions and API tokens.
//!
//! Sessions and API tokens are rows in our own database (hand-rolled rather than tower-sessions):
//! both are the same "random secret, stored as its SHA-256" pattern, they must be valid on every
//! instance sharing the database, and they are revoked with the user by a foreign key.

use super::db::{new_id, now_ms, user_by_email, Db, UserRow};
use crate::errors::AppError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

pub const SESSION_COOKIE: &str = "infograph_session";
pub const SESSION_DAYS: i64 = 30;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// Verified against for unknown emails so that "no such user" takes as long as "wrong password".
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_password_blocking("dummy password for timing").unwrap_or_default()
});

fn hash_password_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// At most this many argon2 computations (19 MiB each) run at once, so a flood of sign-ins
/// queues up instead of exhausting memory through tokio's 512 blocking threads.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

async fn hashing_permit() -> Result<tokio::sync::SemaphorePermit<'static>, AppError> {
    HASHING.acquire().await.map_err(|_| AppError::Internal)
}

/// argon2id with the crate's defaults (19 MiB, 2 passes), off the async threads.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    let _permit = hashing_permit().await?;
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
}

async fn verify_password(hash: String, password: String) -> bool {
    let Ok(_permit) = hashing_permit().await else { return false };
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err(AppError::invalid_field("email", "must be a valid email address"))
    }
}

pub fn check_password_policy(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(AppError::invalid_field("password", format!("must be at least {PASSWORD_MIN} characters")));
    }
    if n > PASSWORD_MAX {
        return Err(AppError::invalid_field("password", format!("must be at most {PASSWORD_MAX} characters")));
    }
    Ok(())
}

/// Creates an account with `credits` on a `signup` ledger row, in one transaction.
pub async fn create_user(
    db: &Db,
    email: &str,
    password: &str,
    credits: i64,
    is_admin: bool,
) -> Result<UserRow, AppError> {
    let email = normalize_email(email)?;
    check_password_policy(password)?;
    let password_hash = hash_password(password.to_string()).await?;
    let now = now_ms();
    let _write = db.write_guard().await;
    let mut tx = db.pool.begin().await?;
    let inserted = sqlx::query_as::<_, UserRow>(
        "INSERT INTO users (id, email, password_hash, is_admin, credit_balance, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING \
         RETURNING id, email, password_hash, is_admin, credit_balance, created_at",
    )
    .bind(new_id())
    .bind(&email)
    .bind(&password_hash)
    .bind(i64::from(is_admin))
    .bind(credits)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user) = inserted else {
        tx.rollback().await?;
        return Err(AppError::invalid_field("email", "is already registered"));
    };
    if credits > 0 {
        sqlx::query(
            "INSERT INTO credit_ledger (id, user_id, amount, reason, actor, created_at) \
             VALUES ($1, $2, $3, 'signup', 'system', $4)",
        )
        .bind(new_id())
        .bind(&user.id)
        .bind(credits)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(user)
}

pub async fn authenticate(db: &Db, email: &str, password: &str) -> Result<UserRow, AppError> {
    let email = email.trim().to_lowercase();
    let user = user_by_email(db, &email).await?;
    let hash = user.as_ref().map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
    let ok = verify_password(hash, password.to_string()).await;
    match user {
        Some(user) if ok => Ok(user),
        _ => Err(AppError::BadCredentials),
    }
}

fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn create_session(db: &Db, user_id: &str) -> Result<String, AppError> {
    let token = random_token("");
    let now = now_ms();
    let _write = db.write_guard().await;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now)
        .bind(now + SESSION_DAYS * 24 * 3600 * 1000)
        .execute(&db.pool)
        .await?;
    Ok(token)
}

pub async fn delete_session(db: &Db, token: &str) -> Result<(), AppError> {
    let _write = db.write_guard().await;
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(&db.pool)
        .await?;
    Ok(())
}

const USER_COLUMNS: &str = "u.id, u.email, u.password_hash, u.is_admin, u.credit_balance, u.created_at";

pub async fn user_for_session(db: &Db, token: &str) -> Result<Option<UserRow>, AppError> {
    Ok(sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2"
    ))
    .bind(token_hash(token))
    .bind(now_ms())
    .fetch_optional(&db.pool)
    .await?)
}

pub async fn create_api_token(db: &Db, user_id: &str) -> Result<String, AppError> {
    let token = random_token("ig_");
    let _write = db.write_guard().await;
    sqlx::query("INSERT INTO api_tokens (token_hash, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now_ms())
        .execute(&db.pool)
        .await?;
    Ok(token)
}

pub async fn user_for_api_token(db: &Db, token: &str) -> Result<Option<UserRow>, AppError> {
    Ok(sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"
    ))
    .bind(token_hash(token))
    .fetch_optional(&db.pool)
    .await?)
}

/// Recently seen API tokens, so a polling client costs one query per request instead of two.
///
/// Holds users for at most [`TokenCache::TTL`]; callers use only the cached user's id (balances
/// are always re-read), and a token revocation, when one exists, takes effect within the TTL.
/// A plain map rather than a cache crate: bounded by clearing when full, which is all this needs.
pub struct TokenCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (UserRow, std::time::Instant)>>,
}

impl TokenCache {
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(30);
    const MAX: usize = 10_000;

    pub fn new() -> Self {
        Self { entries: std::sync::Mutex::new(std::collections::HashMap::new()) }
    }

    pub async fn user(&self, db: &Db, token: &str) -> Result<Option<UserRow>, AppError> {
        let hash = token_hash(token);
        if let Ok(entries) = self.entries.lock() {
            if let Some((user, at)) = entries.get(&hash) {
                if at.elapsed() < Self::TTL {
                    return Ok(Some(user.clone()));
                }
            }
        }
        let user = user_for_api_token(db, token).await?;
        if let (Some(user), Ok(mut entries)) = (&user, self.entries.lock()) {
            if entries.len() >= Self::MAX {
                entries.clear();
            }
            entries.insert(hash, (user.clone(), std::time::Instant::now()));
        }
        Ok(user)
    }
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::new()
    }
}

/// `Authorization: Token <key>` (the seed API's scheme); `Bearer` is accepted too.
pub fn token_from_authorization(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (matches!(scheme, "Token" | "token" | "Bearer" | "bearer") && !token.is_empty()).then_some(token)
}

/// Reads one cookie's value from a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        SESSION_DAYS * 24 * 3600
    )
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_header_schemes() {
        assert_eq!(token_from_authorization("Token abc"), Some("abc"));
        assert_eq!(token_from_authorization("Bearer abc"), Some("abc"));
        assert_eq!(token_from_authorization("Basic abc"), None);
        assert_eq!(token_from_authorization("Token "), None);
        assert_eq!(token_from_authorization("abc"), None);
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let h = "a=1; infograph_session=xyz; infograph_session_old=no";
        assert_eq!(cookie_value(h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie_value(h, "missing"), None);
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(normalize_email(" Ann@Example.COM ").ok().as_deref(), Some("ann@example.com"));
        for bad in ["", "ann", "@example.com", "ann@example", "ann @example.com", "ann@.com"] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = random_token("ig_");
        let b = random_token("ig_");
        assert_ne!(a, b);
        assert!(a.starts_with("ig_") && a.len() > 40);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password_blocking("correct horse").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        let parsed = PasswordHash::new(&hash).expect("parse");
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong horse", &parsed).is_err());
    }
}

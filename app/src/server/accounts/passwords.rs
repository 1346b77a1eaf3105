//! Password hashing (argon2id) and the password policy.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::LazyLock;

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("must be at least {PASSWORD_MIN} characters")]
    TooShort,
    #[error("must be at most {PASSWORD_MAX} characters")]
    TooLong,
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// Verified against for unknown emails so that "no such user" takes as long as "wrong password".
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("dummy password for timing").unwrap_or_default());

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// At most this many argon2 computations (19 MiB each) run at once, so a flood of sign-ins
/// queues up instead of exhausting memory through tokio's 512 blocking threads.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

pub fn check_policy(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(PasswordError::TooShort);
    }
    if n > PASSWORD_MAX {
        return Err(PasswordError::TooLong);
    }
    Ok(())
}

/// argon2id with the crate's defaults (19 MiB, 2 passes), off the async threads.
pub async fn hash(password: String) -> Result<String, PasswordError> {
    let _permit = HASHING.acquire().await.map_err(|e| PasswordError::Hashing(e.to_string()))?;
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| PasswordError::Hashing(e.to_string()))?
        .map_err(|e| PasswordError::Hashing(e.to_string()))
}

/// Checks `password` against `hash`, or against a dummy hash when there is no account, so both
/// cases take the same time.
pub async fn verify(hash: Option<String>, password: String) -> bool {
    let Ok(_permit) = HASHING.acquire().await else { return false };
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
    let matches = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    known && matches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_blocking("correct horse").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        let parsed = PasswordHash::new(&hash).expect("parse");
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong horse", &parsed).is_err());
    }

    #[test]
    fn the_policy_bounds_the_length() {
        assert!(matches!(check_policy("short"), Err(PasswordError::TooShort)));
        assert!(check_policy("long enough").is_ok());
        assert!(matches!(check_policy(&"x".repeat(PASSWORD_MAX + 1)), Err(PasswordError::TooLong)));
    }
}

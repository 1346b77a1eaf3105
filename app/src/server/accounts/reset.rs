//! Resetting a forgotten password, so that nobody's paid credits are locked away with it.
//!
//! Asking for a link answers the same whether or not an account uses the address (no way to find
//! out who has one), and the lookup and the queued email happen after the answer, off the
//! request, so its timing tells nothing either. Requests are limited per client address and per
//! email address.
//!
//! The link is signed (like the verification link) over the account, its address, its current
//! password hash and an expiry 30 minutes after the request. It is good once without storing
//! anything: setting a new password changes the hash, so the signature no longer matches; the
//! same goes for a newer link or an older one once any of them was used.
//!
//! A new password ends every browser session of the account and revokes every API token: a
//! reset is how an owner takes an account back, and whoever held it may have made a token
//! (an address can be registered over the API, and given a token, before its owner confirms
//! it). Scripts get a new token from Settings.

use super::passwords;
use super::sessions;
use super::users::{self, UserRow};
use crate::errors::AppError;
use crate::server::delivery::email::{self, AccountEmail};
use crate::server::platform::db::now_ms;
use crate::server::platform::rate_limit;
use crate::server::platform::signing::{LinkToken, Signer};
use crate::server::platform::state::AppState;
use std::time::Duration;

/// How long a link works.
pub const LINK_TTL_MS: i64 = 30 * 60 * 1000;
const PURPOSE: &str = "password-reset";
/// Links one address may be sent per hour (each is an email in somebody's inbox).
pub const PER_EMAIL_PER_HOUR: u32 = 3;
/// Links one client may ask for per hour, whatever the addresses.
pub const PER_CLIENT_PER_HOUR: u32 = 10;
const HOUR: Duration = Duration::from_secs(3600);

/// `{user id}.{expiry}.{signature}`, signed over the password hash as well: see the module docs.
pub fn token(signer: &Signer, user: &UserRow, expires_ms: i64) -> String {
    let signature = signer.sign(PURPOSE, &[&user.id, &user.email, &user.password_hash, &expires_ms.to_string()]);
    LinkToken::write(&user.id, expires_ms, &signature)
}

pub fn link(base_url: &str, token: &str) -> String {
    format!("{base_url}/reset-password?token={token}")
}

/// Counts a request for a link and, if an account uses `raw_email`, emails it one. Returns the
/// normalised address, the same answer either way.
pub async fn request(state: &AppState, client_ip: &str, raw_email: &str) -> Result<String, AppError> {
    rate_limit::hit_auth(&state.db, client_ip, state.config.auth_per_minute).await?;
    rate_limit::hit_window(&state.db, &format!("reset-client:{client_ip}"), PER_CLIENT_PER_HOUR, HOUR).await?;
    let address = users::normalize_email(raw_email)?;
    // Counted whether or not the address has an account, or the limit would tell.
    rate_limit::hit_window(&state.db, &format!("reset-email:{address}"), PER_EMAIL_PER_HOUR, HOUR).await?;
    let state = state.clone();
    let to = address.clone();
    tokio::spawn(async move {
        if let Err(err) = queue_link(&state, &to).await {
            tracing::error!(error = %err, "could not queue a password reset email");
        }
    });
    Ok(address)
}

async fn queue_link(state: &AppState, address: &str) -> Result<(), sqlx::Error> {
    if let Some(user) = users::by_email(&state.db, address).await? {
        email::queue_account_email(&state.db, &user.id, AccountEmail::PasswordReset).await?;
        state.mailer.wake();
    }
    Ok(())
}

fn invalid_link() -> AppError {
    AppError::invalid_field("token", "This reset link does not work: it has been used already, or it is not complete. Ask for a new one.")
}

fn expired_link() -> AppError {
    AppError::invalid_field("token", "This reset link has expired: links work for 30 minutes. Ask for a new one.")
}

/// The account a link resets, while the link is good; an error naming `token` otherwise.
pub async fn holder(state: &AppState, token: &str) -> Result<UserRow, AppError> {
    let Some(link) = LinkToken::parse(token) else { return Err(invalid_link()) };
    let Some(user) = users::by_id(&state.db, link.subject).await? else { return Err(invalid_link()) };
    if !state.signer.verify(PURPOSE, &[&user.id, &user.email, &user.password_hash, link.expires], link.signature) {
        return Err(invalid_link());
    }
    if link.expires_ms < now_ms() {
        return Err(expired_link());
    }
    Ok(user)
}

/// Sets the new password through a good link, ends every session of the account and revokes its
/// API tokens, in one transaction. Returns the account as it is now. Limited like sign-in (it hashes a password).
pub async fn confirm(state: &AppState, client_ip: &str, token: &str, password: &str) -> Result<UserRow, AppError> {
    rate_limit::hit_auth(&state.db, client_ip, state.config.auth_per_minute).await?;
    let user = holder(state, token).await?;
    passwords::check_policy(password).map_err(users::password_error)?;
    let new_hash = passwords::hash(password.to_string()).await.map_err(users::password_error)?;
    let w = state.db.write().await;
    let mut tx = w.begin().await?;
    // Guarded by the old hash: of two uses of one link at once, only the first changes anything.
    let changed = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3")
        .bind(&new_hash)
        .bind(&user.id)
        .bind(&user.password_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed != 1 {
        tx.rollback().await?;
        return Err(invalid_link());
    }
    let ended = sessions::delete_all_in(&mut tx, &user.id).await?;
    let revoked = super::tokens::revoke_all_in(&mut tx, &user.id).await?;
    tx.commit().await?;
    state.tokens.forget_user(&user.id);
    tracing::info!(user = %user.id, sessions_ended = ended, tokens_revoked = revoked, "password reset");
    Ok(UserRow { password_hash: new_hash, ..user })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::platform::config::Secret;

    fn user(hash: &str) -> UserRow {
        UserRow {
            id: "u1".into(),
            email: "a@b.c".into(),
            password_hash: hash.into(),
            is_admin: 0,
            credit_balance: 0,
            created_at: 0,
            email_verified_at: None,
        }
    }

    #[test]
    fn a_link_is_bound_to_the_password_it_replaces() {
        let signer = Signer::new(Secret::new("k"));
        let before = token(&signer, &user("hash-1"), 5);
        assert_eq!(before, token(&signer, &user("hash-1"), 5));
        assert_ne!(before, token(&signer, &user("hash-2"), 5), "a new password makes the old link stale");
        let signature = before.rsplit('.').next().expect("signature");
        assert!(signer.verify(PURPOSE, &["u1", "a@b.c", "hash-1", "5"], signature));
        assert!(!signer.verify("verify-email", &["u1", "a@b.c", "5"], signature), "not a verification link");
    }
}

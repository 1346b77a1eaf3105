//! Confirming an email address. Sign-up credits are what scripted sign-ups would farm, so they
//! are granted only when the owner of the address follows the link we mailed: a signed,
//! expiring (24 h) token bound to the account and its address, good once (confirming sets
//! `email_verified_at`, and the grant is guarded by it being unset). Following it the first time
//! also signs the browser that followed it in (the link proves it came through the address);
//! a used link signs nobody in.

use super::users::{self, UserRow};
use crate::errors::AppError;
use crate::server::billing::ledger;
use crate::server::delivery::email::{self, AccountEmail};
use crate::server::platform::db::{now_ms, Db};
use crate::server::platform::rate_limit;
use crate::server::platform::signing::{LinkToken, Signer};
use crate::server::platform::state::AppState;
use std::time::Duration;

/// How long a link works.
pub const LINK_TTL_MS: i64 = 24 * 3600 * 1000;
const PURPOSE: &str = "verify-email";
/// Verification links a user may ask for per hour (each is an email to their address).
const RESENDS_PER_HOUR: u32 = 3;

/// `{user id}.{expiry}.{signature}`: everything the check needs is in the link.
pub fn token(signer: &Signer, user: &UserRow, expires_ms: i64) -> String {
    let signature = signer.sign(PURPOSE, &[&user.id, &user.email, &expires_ms.to_string()]);
    LinkToken::write(&user.id, expires_ms, &signature)
}

pub fn link(base_url: &str, token: &str) -> String {
    format!("{base_url}/verify-email?token={token}")
}

/// The cookie a sign-up leaves in the browser it was made in. Following the confirmation link
/// signs in that browser only: a link opened in another one (or sent by someone else to put a
/// stranger's browser into their account: login CSRF) confirms the address and asks for the
/// password instead.
pub const BROWSER_COOKIE: &str = "infograph_signup";
const BROWSER_PURPOSE: &str = "signup-browser";

/// `{expiry}.{signature over the address and the expiry}`, for as long as the link works.
pub fn browser_cookie(signer: &Signer, email: &str, now: i64, secure: bool) -> String {
    let expires = (now + LINK_TTL_MS).to_string();
    let signature = signer.sign(BROWSER_PURPOSE, &[email, &expires]);
    let secure = if secure { "; Secure" } else { "" };
    format!("{BROWSER_COOKIE}={expires}.{signature}; Path=/verify-email; HttpOnly; SameSite=Lax; Max-Age={}{secure}", LINK_TTL_MS / 1000)
}

/// Ends the sign-up's cookie once it has signed its browser in.
pub fn clearing_browser_cookie() -> String {
    format!("{BROWSER_COOKIE}=; Path=/verify-email; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// Whether `value` (the cookie's) was left by signing up `email` here, and has not expired.
pub fn browser_signed_up(signer: &Signer, value: &str, email: &str, now: i64) -> bool {
    let Some((expires, signature)) = value.split_once('.') else { return false };
    expires.parse::<i64>().is_ok_and(|at| at > now) && signer.verify(BROWSER_PURPOSE, &[email, expires], signature)
}

/// What following a link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    /// The address (`email`) of `user_id` is confirmed now, and `credits` were granted.
    Confirmed { credits: i64, user_id: String, email: String },
    AlreadyConfirmed,
    Expired,
    Invalid,
}

impl Confirmation {
    /// The word the page shows its notice by (`/?email=…`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Confirmed { .. } => "confirmed",
            Self::AlreadyConfirmed => "already-confirmed",
            Self::Expired => "expired",
            Self::Invalid => "invalid",
        }
    }
}

pub async fn confirm(state: &AppState, token: &str) -> Result<Confirmation, sqlx::Error> {
    let Some(link) = LinkToken::parse(token) else { return Ok(Confirmation::Invalid) };
    let Some(user) = users::by_id(&state.db, link.subject).await? else { return Ok(Confirmation::Invalid) };
    if !state.signer.verify(PURPOSE, &[&user.id, &user.email, link.expires], link.signature) {
        return Ok(Confirmation::Invalid);
    }
    if user.verified() {
        return Ok(Confirmation::AlreadyConfirmed);
    }
    if link.expires_ms < now_ms() {
        return Ok(Confirmation::Expired);
    }
    let credits = state.config.signup_credits;
    Ok(match mark_verified(&state.db, &user.id, credits).await? {
        true => Confirmation::Confirmed { credits, user_id: user.id, email: user.email },
        false => Confirmation::AlreadyConfirmed,
    })
}

/// Confirms the address and grants the sign-up credits, once: `false` if it was confirmed
/// already (a second click, two tabs).
async fn mark_verified(db: &Db, user_id: &str, credits: i64) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    let mut tx = w.begin().await?;
    let confirmed = sqlx::query("UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if confirmed != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    if credits > 0 {
        ledger::credit_signup(&mut tx, user_id, credits, now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Queues a verification email for `user` (at sign-up, or when they ask again).
pub async fn send_link(state: &AppState, user: &UserRow) -> Result<(), AppError> {
    email::queue_account_email(&state.db, &user.id, AccountEmail::Verify).await?;
    state.mailer.wake();
    Ok(())
}

/// "Resend": a new link for a signed-in user whose address is not confirmed yet.
pub async fn resend(state: &AppState, user: &UserRow) -> Result<(), AppError> {
    if user.verified() {
        return Err(AppError::Conflict("your email address is already confirmed".into()));
    }
    let bucket = format!("verify-resend:{}", user.id);
    rate_limit::hit_window(&state.db, &bucket, RESENDS_PER_HOUR, Duration::from_secs(3600)).await?;
    send_link(state, user).await
}

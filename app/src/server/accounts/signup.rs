//! Signing up, from the web form or the REST API. New accounts start unverified with no credits
//! (see [`super::verification`]); both doors are limited per client address.

use super::users::{self, NewAccount, UserRow};
use super::verification;
use crate::errors::AppError;
use crate::server::delivery::email::{self, AccountEmail};
use crate::server::platform::rate_limit;
use crate::server::platform::state::AppState;
use std::time::Duration;

pub enum SignUp {
    Created(UserRow),
    /// The address has an account; its owner was told by email.
    Taken,
}

/// Counts a sign-up against the client's address: the general auth limit per minute and the
/// strict sign-up limit per hour.
pub async fn limit(state: &AppState, client_ip: &str) -> Result<(), AppError> {
    rate_limit::hit_auth(&state.db, client_ip, state.config.auth_per_minute).await?;
    let bucket = format!("signup:{client_ip}");
    rate_limit::hit_window(&state.db, &bucket, state.config.signup_per_hour, Duration::from_secs(3600)).await
}

/// Creates the account and mails its verification link; for a taken address, mails its owner
/// instead. The caller decides what to reveal.
pub async fn sign_up(state: &AppState, email: &str, password: &str) -> Result<SignUp, AppError> {
    let account = NewAccount { email, password, credits: 0, admin: false, verified: false };
    match users::create(&state.db, &account).await? {
        Some(user) => {
            verification::send_link(state, &user).await?;
            Ok(SignUp::Created(user))
        }
        None => {
            if let Some(owner) = users::by_email(&state.db, &users::normalize_email(email)?).await? {
                email::queue_account_email(&state.db, &owner.id, AccountEmail::SignupAttempt).await?;
                state.mailer.wake();
            }
            Ok(SignUp::Taken)
        }
    }
}

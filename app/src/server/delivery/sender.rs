//! The email sender: claims due outbox rows, sends them through the mailer, and records the
//! outcome; beside it, the backstop that queues emails a crash may have missed.

use super::email::{self, AccountEmail, MailError, Outbox, OutboxRow, Sent};
use crate::server::accounts::{reset, users, verification};
use crate::server::accounts::users::UserRow;
use crate::server::jobs::repo;
use crate::server::platform::queue;
use crate::server::platform::state::AppState;
use lettre::message::Mailbox;
use std::time::Duration;

const IDLE_POLL: Duration = Duration::from_secs(5);
const BACKSTOP_EVERY: Duration = Duration::from_secs(60);

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let state = &state;
        let backstop = async move {
            loop {
                if let Err(err) = email::queue_missed_emails(&state.db).await {
                    tracing::warn!(error = %err, "notification backstop failed");
                }
                tokio::time::sleep(BACKSTOP_EVERY).await;
            }
        };
        let sender = queue::run("email sender", IDLE_POLL, &state.mailer.wake, &state.stopping, move || async move {
            // Account emails first: a verification link is what somebody is waiting for.
            for outbox in [Outbox::Accounts, Outbox::Jobs] {
                if let Some(row) = email::claim_next(&state.db, outbox, state.config.email.max_attempts).await? {
                    send_one(state, row).await;
                    return Ok(true);
                }
            }
            Ok(false)
        });
        tokio::join!(backstop, sender);
    })
}

async fn send_one(state: &AppState, row: OutboxRow) {
    let outcome = match deliver(state, &row).await {
        Ok(()) => email::mark_sent(&state.db, &row, None).await,
        Err(Undeliverable::Skip(why)) => email::mark_sent(&state.db, &row, Some(why)).await,
        Err(Undeliverable::Retry(reason)) => {
            let attempts = row.attempts.max(1) as u32;
            tracing::warn!(outbox = %row.id, attempts, %reason, "email not sent; will retry");
            let delay = queue::backoff(state.config.email.retry_base, attempts);
            email::record_failure(&state.db, &row, &reason, delay).await
        }
    };
    if let Err(err) = outcome {
        tracing::error!(outbox = %row.id, error = %err, "could not record an email's outcome");
    }
}

enum Undeliverable {
    /// Nothing to send any more (opted out meanwhile, job or account gone): done, not retried.
    Skip(&'static str),
    Retry(String),
}

impl From<sqlx::Error> for Undeliverable {
    fn from(e: sqlx::Error) -> Self {
        Self::Retry(format!("database error: {e}"))
    }
}

impl From<MailError> for Undeliverable {
    fn from(e: MailError) -> Self {
        Self::Retry(e.to_string())
    }
}

async fn deliver(state: &AppState, row: &OutboxRow) -> Result<(), Undeliverable> {
    let (to, subject, body) = match row.outbox {
        Outbox::Jobs => job_email(state, row).await?,
        Outbox::Accounts => account_email(state, row).await?,
    };
    let to: Mailbox = to.parse().map_err(|_| Undeliverable::Skip("the account's address is not valid"))?;
    match state.mailer.send(&row.id, to, subject, body).await? {
        Sent::Smtp => tracing::info!(outbox = %row.id, kind = %row.kind, "email sent"),
        Sent::File(path) => tracing::info!(outbox = %row.id, kind = %row.kind, path = %path.display(),
            "SMTP_URL is not set: email written to the outbox folder"),
    }
    Ok(())
}

/// The address, subject and body of a job notification.
async fn job_email(state: &AppState, row: &OutboxRow) -> Result<(String, String, String), Undeliverable> {
    if !email::opted_in(&state.db, &row.user_id).await? {
        return Err(Undeliverable::Skip("the user opted out before it was sent"));
    }
    let user = users::by_id(&state.db, &row.user_id).await?;
    let job = match &row.infograph_id {
        Some(id) => repo::by_id(&state.db, id).await?,
        None => None,
    };
    let (Some(user), Some(job)) = (user, job) else {
        return Err(Undeliverable::Skip("the job or the account no longer exists"));
    };
    let (subject, body) = email::compose(&job, &state.public_base_url);
    Ok((user.email, subject, body))
}

/// The address, subject and body of an account email.
async fn account_email(state: &AppState, row: &OutboxRow) -> Result<(String, String, String), Undeliverable> {
    let Some(kind) = AccountEmail::from_kind(&row.kind) else { return Err(Undeliverable::Skip("unknown kind")) };
    let Some(user) = users::by_id(&state.db, &row.user_id).await? else {
        return Err(Undeliverable::Skip("the account no longer exists"));
    };
    if kind == AccountEmail::Verify && user.verified() {
        return Err(Undeliverable::Skip("the address was confirmed before the link was sent"));
    }
    let link = account_link(state, row, kind, &user)?;
    let (subject, body) = email::compose_account(kind, &user.email, &state.public_base_url, &link, state.config.signup_credits);
    Ok((user.email, subject, body))
}

/// The link an account email carries, expiring a fixed time after it was asked for (so a retry
/// sends the same expiry). A reset link that expired while the mail waited is not worth sending.
fn account_link(state: &AppState, row: &OutboxRow, kind: AccountEmail, user: &UserRow) -> Result<String, Undeliverable> {
    if kind == AccountEmail::PasswordReset {
        let expires = row.created_at + reset::LINK_TTL_MS;
        if expires < crate::server::platform::db::now_ms() {
            return Err(Undeliverable::Skip("the reset link expired before it could be sent"));
        }
        return Ok(reset::link(&state.public_base_url, &reset::token(&state.signer, user, expires)));
    }
    let token = verification::token(&state.signer, user, row.created_at + verification::LINK_TTL_MS);
    Ok(verification::link(&state.public_base_url, &token))
}

//! The email sender: claims due outbox rows, sends them through the mailer, and records the
//! outcome; beside it, the backstop that queues emails a crash may have missed.

use super::email::{self, MailError, OutboxRow, Sent};
use crate::server::accounts::users;
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
        let sender = queue::run("email sender", IDLE_POLL, &state.mailer.wake, move || async move {
            let Some(row) = email::claim_next(&state.db, state.config.email.max_attempts).await? else { return Ok(false) };
            send_one(state, row).await;
            Ok(true)
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
    if !email::opted_in(&state.db, &row.user_id).await? {
        return Err(Undeliverable::Skip("the user opted out before it was sent"));
    }
    let user = users::by_id(&state.db, &row.user_id).await?;
    let job = repo::by_id(&state.db, &row.infograph_id).await?;
    let (Some(user), Some(job)) = (user, job) else {
        return Err(Undeliverable::Skip("the job or the account no longer exists"));
    };
    let to: Mailbox = user.email.parse().map_err(|_| Undeliverable::Skip("the account's address is not valid"))?;
    let (subject, body) = email::compose(&job, &state.public_base_url);
    match state.mailer.send(&row.id, to, subject, body).await? {
        Sent::Smtp => tracing::info!(outbox = %row.id, infograph = %row.infograph_id, "notification email sent"),
        Sent::File(path) => tracing::info!(outbox = %row.id, infograph = %row.infograph_id, path = %path.display(),
            "SMTP_URL is not set: notification email written to the outbox folder"),
    }
    Ok(())
}

//! Email: the mailer (SMTP with `lettre`, or `.eml` files in `<data dir>/outbox/` without
//! `SMTP_URL`), and job notifications for users who opted in (`users.notify_email`, off by
//! default).
//!
//! Job notifications are durable and exactly-once-ish: the moment a job becomes final, one
//! `email_outbox` row is written for it (a unique index makes a second impossible, so duplicate
//! webhooks, reconcilers and instances cannot queue two). The sender (`delivery::sender`) claims
//! due rows with a lease, sends, marks them sent, and retries failures with backoff a bounded
//! number of times. A crash between the SMTP server accepting a message and our marking it sent
//! repeats it once (at-least-once); nothing can lose it. A backstop pass queues rows for recently
//! ended jobs that have none (a crash between the job's final write and the outbox write).

use crate::server::jobs::repo::InfographRow;
use crate::server::platform::config::Config;
use crate::server::platform::db::{new_id, now_ms, Db};
use crate::server::platform::queue::Wake;
use lettre::message::{header::ContentType, Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a claimed outbox row belongs to its sender before another may retry it.
const LEASE: Duration = Duration::from_secs(120);
/// How far back the backstop looks for ended jobs without an outbox row.
const BACKSTOP_WINDOW: Duration = Duration::from_secs(24 * 3600);
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// How messages leave: an SMTP relay, or files in the outbox folder.
#[derive(Clone)]
enum Delivery {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

#[derive(Clone)]
pub struct Mailer {
    delivery: Delivery,
    from: Mailbox,
    /// Wakes the sender (a job just ended) instead of at its next idle poll.
    pub wake: Wake,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.delivery {
            Delivery::Smtp(_) => "Mailer(smtp)",
            Delivery::Folder(_) => "Mailer(folder)",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("SMTP_FROM is not an address: {0}")]
    From(String),
    #[error("SMTP_URL is not a valid smtp:// or smtps:// URL")]
    SmtpUrl,
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("SMTP: {0}")]
    Smtp(String),
    #[error("{0}")]
    Folder(String),
}

/// Where a sent message went.
pub enum Sent {
    Smtp,
    File(PathBuf),
}

impl Mailer {
    /// SMTP when `SMTP_URL` is set (its password never reaches a log), else `<data dir>/outbox`.
    pub fn open(config: &Config) -> Result<Self, MailError> {
        let from: Mailbox = config.email.from.parse().map_err(|e: lettre::address::AddressError| MailError::From(e.to_string()))?;
        let delivery = match &config.email.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|_| MailError::SmtpUrl)?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Delivery::Smtp(transport)
            }
            None => Delivery::Folder(config.data_dir().join("outbox")),
        };
        Ok(Self { delivery, from, wake: Wake::default() })
    }

    pub fn wake(&self) {
        self.wake.wake();
    }

    pub fn describe(&self) -> String {
        match &self.delivery {
            Delivery::Smtp(_) => "smtp".into(),
            Delivery::Folder(dir) => format!("outbox folder {}", dir.display()),
        }
    }

    /// Sends a plain-text message. `id` names the file when there is no SMTP relay.
    pub async fn send(&self, id: &str, to: Mailbox, subject: String, body: String) -> Result<Sent, MailError> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Build(e.to_string()))?;
        match &self.delivery {
            Delivery::Smtp(transport) => {
                transport.send(message).await.map_err(|e| MailError::Smtp(e.to_string()))?;
                Ok(Sent::Smtp)
            }
            Delivery::Folder(dir) => Ok(Sent::File(write_eml(dir, id, &message.formatted()).await?)),
        }
    }
}

/// Written under a temporary name and renamed, so a reader never sees half a message.
async fn write_eml(dir: &Path, id: &str, bytes: &[u8]) -> Result<PathBuf, MailError> {
    let failed = |what: String| MailError::Folder(what);
    tokio::fs::create_dir_all(dir).await.map_err(|e| failed(format!("cannot create {}: {e}", dir.display())))?;
    let path = dir.join(format!("{id}.eml"));
    let partial = dir.join(format!(".{id}.eml.partial"));
    tokio::fs::write(&partial, bytes).await.map_err(|e| failed(format!("cannot write {}: {e}", partial.display())))?;
    tokio::fs::rename(&partial, &path).await.map_err(|e| failed(format!("cannot rename to {}: {e}", path.display())))?;
    Ok(path)
}

/// Queues the email for job `id` if it is final and its owner opted in. Idempotent.
/// Jobs the user cancelled or deleted get no email: they know. Only confirmed addresses get one:
/// an unconfirmed one may be somebody else's.
pub async fn queue_job_email(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    let inserted = sqlx::query(
        "INSERT INTO email_outbox (id, infograph_id, user_id, kind, next_at, created_at) \
         SELECT $1, i.id, i.user_id, i.status, $2, $2 FROM infographs i JOIN users u ON u.id = i.user_id \
         WHERE i.id = $3 AND i.status IN ('completed', 'failed') AND u.notify_email = 1 \
           AND u.email_verified_at IS NOT NULL AND i.cancelled_at IS NULL AND i.deleted_at IS NULL \
         ON CONFLICT (infograph_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(now)
    .bind(id)
    .execute(w.pool())
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// The crash backstop: jobs that ended recently, after their owner opted in, with no outbox row.
pub async fn queue_missed_emails(db: &Db) -> Result<(), sqlx::Error> {
    let since = now_ms() - BACKSTOP_WINDOW.as_millis() as i64;
    let missed: Vec<String> = sqlx::query_scalar(
        "SELECT i.id FROM infographs i JOIN users u ON u.id = i.user_id \
         WHERE i.status IN ('completed', 'failed') AND u.notify_email = 1 AND i.completed_at > $1 \
           AND u.email_verified_at IS NOT NULL AND i.cancelled_at IS NULL AND i.deleted_at IS NULL \
           AND i.completed_at >= u.notify_email_since \
           AND NOT EXISTS (SELECT 1 FROM email_outbox o WHERE o.infograph_id = i.id) LIMIT 100",
    )
    .bind(since)
    .fetch_all(db.read())
    .await?;
    for id in missed {
        if queue_job_email(db, &id).await? {
            tracing::info!(infograph = %id, "queued a job notification the backstop found");
        }
    }
    Ok(())
}

/// Whether the user wants job emails.
pub async fn opted_in(db: &Db, user_id: &str) -> Result<bool, sqlx::Error> {
    let flag: Option<i64> = sqlx::query_scalar("SELECT notify_email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db.read())
        .await?;
    Ok(flag == Some(1))
}

/// Switches the opt-in; switching it on records when, so the backstop never mails older jobs.
pub async fn set_opt_in(db: &Db, user_id: &str, enabled: bool) -> Result<(), sqlx::Error> {
    let w = db.write().await;
    let query = if enabled {
        sqlx::query("UPDATE users SET notify_email = 1, notify_email_since = $2 WHERE id = $1 AND notify_email = 0")
            .bind(user_id)
            .bind(now_ms())
    } else {
        sqlx::query("UPDATE users SET notify_email = 0 WHERE id = $1").bind(user_id)
    };
    query.execute(w.pool()).await?;
    Ok(())
}

/// The two outboxes the sender serves: job notifications, and account emails (verification
/// links, sign-up attempts on a taken address). Same shape, same lease and retry rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Outbox {
    #[default]
    Jobs,
    Accounts,
}

impl Outbox {
    fn table(self) -> &'static str {
        match self {
            Self::Jobs => "email_outbox",
            Self::Accounts => "account_emails",
        }
    }

    /// The job a row is about; account emails are about no job.
    fn infograph_column(self) -> &'static str {
        match self {
            Self::Jobs => "infograph_id",
            Self::Accounts => "CAST(NULL AS TEXT)",
        }
    }
}

/// A queued email, claimed until `next_at`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: String,
    pub user_id: String,
    pub infograph_id: Option<String>,
    pub kind: String,
    pub attempts: i64,
    pub next_at: i64,
    pub created_at: i64,
    #[sqlx(skip)]
    pub outbox: Outbox,
}

/// What an account email says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountEmail {
    /// The link that confirms the address.
    Verify,
    /// Someone tried to sign up with this (taken) address.
    SignupAttempt,
    /// The link that sets a new password (`accounts::reset`).
    PasswordReset,
}

impl AccountEmail {
    fn kind(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::SignupAttempt => "signup_attempt",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// Queues an account email for `user_id`; the sender is woken by the caller.
pub async fn queue_account_email(db: &Db, user_id: &str, email: AccountEmail) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    sqlx::query("INSERT INTO account_emails (id, user_id, kind, next_at, created_at) VALUES ($1, $2, $3, $4, $4)")
        .bind(new_id())
        .bind(user_id)
        .bind(email.kind())
        .bind(now)
        .execute(w.pool())
        .await?;
    Ok(())
}

pub async fn claim_next(db: &Db, outbox: Outbox, max_attempts: u32) -> Result<Option<OutboxRow>, sqlx::Error> {
    let now = now_ms();
    let table = outbox.table();
    let w = db.write().await;
    let row = sqlx::query_as::<_, OutboxRow>(&format!(
        "UPDATE {table} SET next_at = $1, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM {table} WHERE sent_at IS NULL AND next_at <= $2 AND attempts < $3 \
                     ORDER BY next_at LIMIT 1{}) \
           AND sent_at IS NULL AND next_at <= $2 \
         RETURNING id, user_id, {} AS infograph_id, kind, attempts, next_at, created_at",
        db.skip_locked(),
        outbox.infograph_column(),
    ))
    .bind(now + LEASE.as_millis() as i64)
    .bind(now)
    .bind(i64::from(max_attempts))
    .fetch_optional(w.pool())
    .await?;
    Ok(row.map(|row| OutboxRow { outbox, ..row }))
}

/// Done: sent, or (`note`) nothing left to send.
pub async fn mark_sent(db: &Db, row: &OutboxRow, note: Option<&str>) -> Result<(), sqlx::Error> {
    settle(db, row, "sent_at", now_ms(), note).await
}

/// Not sent: tried again after `delay`.
pub async fn record_failure(db: &Db, row: &OutboxRow, reason: &str, delay: Duration) -> Result<(), sqlx::Error> {
    settle(db, row, "next_at", now_ms() + delay.as_millis() as i64, Some(reason)).await
}

/// Sets `column` (`sent_at` or `next_at`) and the note of the claimed message, if it is still
/// this sender's claim (its `next_at` unchanged) and unsent.
async fn settle(db: &Db, row: &OutboxRow, column: &str, at: i64, note: Option<&str>) -> Result<(), sqlx::Error> {
    let w = db.write().await;
    sqlx::query(&format!(
        "UPDATE {} SET {column} = $1, last_error = $2 WHERE id = $3 AND next_at = $4 AND sent_at IS NULL",
        row.outbox.table()
    ))
    .bind(at)
    .bind(note)
    .bind(&row.id)
    .bind(row.next_at)
    .execute(w.pool())
    .await?;
    Ok(())
}

/// Subject and body of an account email. `link`: the verification link for `Verify`, the reset
/// link for `PasswordReset`.
pub fn compose_account(email: AccountEmail, address: &str, base_url: &str, link: &str, credits: i64) -> (String, String) {
    match email {
        AccountEmail::Verify => (
            "Confirm your email address for Infograph".to_string(),
            format!(
                "Welcome to Infograph!\n\nConfirm your address to get your {credits} free credits:\n\n{link}\n\n\
                 The link works for 24 hours; you can ask for a new one in the app. If you did not sign \
                 up, ignore this email and nothing happens.\n"
            ),
        ),
        AccountEmail::SignupAttempt => (
            "Someone tried to sign up with your address".to_string(),
            format!(
                "Someone, perhaps you, tried to create an Infograph account with {address}, which already \
                 has one. Nothing changed.\n\nIf it was you, sign in at {base_url}/signin\n\n\
                 If it was not, you can ignore this email.\n"
            ),
        ),
        AccountEmail::PasswordReset => (
            "Reset your Infograph password".to_string(),
            format!(
                "Someone, hopefully you, asked to reset the password of the Infograph account for \
                 {address}.\n\nChoose a new password here:\n\n{link}\n\n\
                 The link works once, for 30 minutes. Setting a new password signs the account out \
                 on every device and revokes its API tokens.\n\nIf you did not ask, ignore this email: your password stays as it is.\n"
            ),
        ),
    }
}

impl AccountEmail {
    /// The email a stored `kind` names.
    pub fn from_kind(kind: &str) -> Option<Self> {
        match kind {
            "verify" => Some(Self::Verify),
            "signup_attempt" => Some(Self::SignupAttempt),
            "password_reset" => Some(Self::PasswordReset),
            _ => None,
        }
    }
}

/// Subject and plain-text body for a final job.
pub fn compose(job: &InfographRow, base_url: &str) -> (String, String) {
    let title = job.name();
    if job.status() == crate::model::JobStatus::Completed {
        (
            format!("Your infographic is ready: {title}"),
            format!(
                "Your infographic \"{title}\" is ready.\n\nSee it: {base_url}/i/{}\n\n\
                 You get these emails because job notifications are on in your settings ({base_url}/settings).\n",
                job.id
            ),
        )
    } else {
        let reason = job.error_message.as_deref().unwrap_or("the generation failed");
        let refund = if job.proofread_fix == 2 {
            "It was a free fix: nothing was charged.".to_string()
        } else if job.refunded_at.is_some() {
            format!("The {} credit(s) it cost were refunded to your account.", job.cost)
        } else {
            "Its credits are being refunded.".to_string()
        };
        (
            format!("Your infographic could not be generated: {title}"),
            format!(
                "Your infographic \"{title}\" could not be generated.\n\nReason: {reason}\n\n{refund}\n\n\
                 Try again from {base_url}/\n\n\
                 You get these emails because job notifications are on in your settings ({base_url}/settings).\n"
            ),
        )
    }
}


//! Email when a job ends, for users who opted in (`users.notify_email`, off by default).
//!
//! Durable and exactly-once-ish: the moment a job becomes final, one `email_outbox` row is
//! written for it (a unique index makes a second impossible, so duplicate webhooks, reconcilers
//! and instances cannot queue two). A background sender claims due rows with a lease, sends with
//! `lettre` over SMTP (`SMTP_URL`), marks them sent, and retries failures with backoff a bounded
//! number of times. Without `SMTP_URL` the message is written as an `.eml` file to
//! `<data dir>/outbox/` and logged. A crash between the SMTP server accepting a message and our
//! marking it sent repeats it once (at-least-once); nothing can lose it. A backstop pass queues
//! rows for recently ended jobs that have none (a crash between the job's final write and the
//! outbox write).

use super::db::{new_id, now_ms, Db, InfographRow, INFOGRAPH_COLUMNS};
use super::state::AppState;
use lettre::message::{header::ContentType, Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const LEASE: Duration = Duration::from_secs(120);
const IDLE_POLL: Duration = Duration::from_secs(5);
/// How far back the backstop looks for ended jobs without an outbox row.
const BACKSTOP_WINDOW: Duration = Duration::from_secs(24 * 3600);
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
const BACKSTOP_EVERY: Duration = Duration::from_secs(60);

/// How messages leave: an SMTP relay, or files in the outbox folder.
#[derive(Clone)]
pub enum Delivery {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

#[derive(Clone)]
pub struct Mailer {
    delivery: Delivery,
    from: Mailbox,
    wake: Arc<Notify>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.delivery {
            Delivery::Smtp(_) => "Mailer(smtp)",
            Delivery::Folder(_) => "Mailer(folder)",
        })
    }
}

impl Mailer {
    /// SMTP when `SMTP_URL` is set (its password never reaches a log), else `<data dir>/outbox`.
    pub fn open(config: &super::config::Config) -> Result<Self, String> {
        let from: Mailbox = config.email.from.parse().map_err(|e| format!("SMTP_FROM is not an address: {e}"))?;
        let delivery = match &config.email.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|_| "SMTP_URL is not a valid smtp:// or smtps:// URL".to_string())?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Delivery::Smtp(transport)
            }
            None => Delivery::Folder(config.data_dir().join("outbox")),
        };
        Ok(Self { delivery, from, wake: Arc::new(Notify::new()) })
    }

    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn describe(&self) -> String {
        match &self.delivery {
            Delivery::Smtp(_) => "smtp".into(),
            Delivery::Folder(dir) => format!("outbox folder {}", dir.display()),
        }
    }
}

/// Queues the email for job `id` if it is final and its owner opted in. Idempotent.
/// Jobs the user cancelled or deleted get no email: they know.
pub async fn enqueue(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let _write = db.write_guard().await;
    let inserted = sqlx::query(
        "INSERT INTO email_outbox (id, infograph_id, user_id, kind, next_at, created_at) \
         SELECT $1, i.id, i.user_id, i.status, $2, $2 FROM infographs i JOIN users u ON u.id = i.user_id \
         WHERE i.id = $3 AND i.status IN ('completed', 'failed') AND u.notify_email = 1 \
           AND i.cancelled_at IS NULL AND i.deleted_at IS NULL \
         ON CONFLICT (infograph_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(now)
    .bind(id)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// The crash backstop: jobs that ended recently, after their owner opted in, with no outbox row.
pub async fn enqueue_missed(db: &Db) -> Result<(), sqlx::Error> {
    let since = now_ms() - BACKSTOP_WINDOW.as_millis() as i64;
    let missed: Vec<String> = sqlx::query_scalar(
        "SELECT i.id FROM infographs i JOIN users u ON u.id = i.user_id \
         WHERE i.status IN ('completed', 'failed') AND u.notify_email = 1 AND i.completed_at > $1 \
           AND i.cancelled_at IS NULL AND i.deleted_at IS NULL \
           AND i.completed_at >= u.notify_email_since \
           AND NOT EXISTS (SELECT 1 FROM email_outbox o WHERE o.infograph_id = i.id) LIMIT 100",
    )
    .bind(since)
    .fetch_all(&db.pool)
    .await?;
    for id in missed {
        if enqueue(db, &id).await? {
            tracing::info!(infograph = %id, "queued a job notification the backstop found");
        }
    }
    Ok(())
}

/// Whether the user wants job emails.
pub async fn opted_in(db: &Db, user_id: &str) -> Result<bool, sqlx::Error> {
    let flag: Option<i64> = sqlx::query_scalar("SELECT notify_email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(flag == Some(1))
}

/// Switches the opt-in; switching it on records when, so the backstop never mails older jobs.
pub async fn set_opt_in(db: &Db, user_id: &str, enabled: bool) -> Result<(), sqlx::Error> {
    let _write = db.write_guard().await;
    let query = if enabled {
        sqlx::query("UPDATE users SET notify_email = 1, notify_email_since = $2 WHERE id = $1 AND notify_email = 0")
            .bind(user_id)
            .bind(now_ms())
    } else {
        sqlx::query("UPDATE users SET notify_email = 0 WHERE id = $1").bind(user_id)
    };
    query.execute(&db.pool).await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct OutboxRow {
    id: String,
    infograph_id: String,
    user_id: String,
    attempts: i64,
    next_at: i64,
}

async fn claim_next(db: &Db, max_attempts: u32) -> Result<Option<OutboxRow>, sqlx::Error> {
    let now = now_ms();
    let _write = db.write_guard().await;
    sqlx::query_as::<_, OutboxRow>(&format!(
        "UPDATE email_outbox SET next_at = $1, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM email_outbox WHERE sent_at IS NULL AND next_at <= $2 AND attempts < $3 \
                     ORDER BY next_at LIMIT 1{}) \
           AND sent_at IS NULL AND next_at <= $2 \
         RETURNING id, infograph_id, user_id, attempts, next_at",
        db.skip_locked()
    ))
    .bind(now + LEASE.as_millis() as i64)
    .bind(now)
    .bind(i64::from(max_attempts))
    .fetch_optional(&db.pool)
    .await
}

pub fn spawn_sender(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let state = &state;
        let backstop = async move {
            loop {
                if let Err(err) = enqueue_missed(&state.db).await {
                    tracing::warn!(error = %err, "notification backstop failed");
                }
                tokio::time::sleep(BACKSTOP_EVERY).await;
            }
        };
        let sender = super::queue::run("email sender", IDLE_POLL, &state.mailer.wake, move || async move {
            let Some(row) = claim_next(&state.db, state.config.email.max_attempts).await? else { return Ok(false) };
            send_one(state, row).await;
            Ok(true)
        });
        tokio::join!(backstop, sender);
    })
}

async fn send_one(state: &AppState, row: OutboxRow) {
    let result = deliver(state, &row).await;
    let outcome = match &result {
        Ok(()) => mark_sent(&state.db, &row, None).await,
        Err(Undeliverable::Skip(why)) => mark_sent(&state.db, &row, Some(*why)).await,
        Err(Undeliverable::Retry(reason)) => {
            let attempts = row.attempts.max(1) as u32;
            tracing::warn!(outbox = %row.id, attempts, %reason, "email not sent; will retry");
            let delay = super::storage::backoff(state.config.email.retry_base, attempts);
            record_failure(&state.db, &row, reason, delay).await
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

async fn deliver(state: &AppState, row: &OutboxRow) -> Result<(), Undeliverable> {
    let db_err = |e: sqlx::Error| Undeliverable::Retry(format!("database error: {e}"));
    if !opted_in(&state.db, &row.user_id).await.map_err(db_err)? {
        return Err(Undeliverable::Skip("the user opted out before it was sent"));
    }
    let user = super::db::user_by_id(&state.db, &row.user_id).await.map_err(db_err)?;
    let job = sqlx::query_as::<_, InfographRow>(&format!("SELECT {INFOGRAPH_COLUMNS} FROM infographs WHERE id = $1"))
        .bind(&row.infograph_id)
        .fetch_optional(&state.db.pool)
        .await
        .map_err(db_err)?;
    let (Some(user), Some(job)) = (user, job) else {
        return Err(Undeliverable::Skip("the job or the account no longer exists"));
    };
    let to: Mailbox = user.email.parse().map_err(|_| Undeliverable::Skip("the account's address is not valid"))?;
    let (subject, body) = compose(&job, &state.public_base_url);
    let message = Message::builder()
        .from(state.mailer.from.clone())
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| Undeliverable::Retry(format!("cannot build the message: {e}")))?;
    match &state.mailer.delivery {
        Delivery::Smtp(transport) => {
            transport.send(message).await.map_err(|e| Undeliverable::Retry(format!("SMTP: {e}")))?;
            tracing::info!(outbox = %row.id, infograph = %row.infograph_id, "notification email sent");
        }
        Delivery::Folder(dir) => {
            let path = write_eml(dir, &row.id, &message.formatted()).await.map_err(Undeliverable::Retry)?;
            tracing::info!(outbox = %row.id, infograph = %row.infograph_id, path = %path.display(),
                "SMTP_URL is not set: notification email written to the outbox folder");
        }
    }
    Ok(())
}

/// Written under a temporary name and renamed, so a reader never sees half a message.
async fn write_eml(dir: &std::path::Path, id: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    tokio::fs::create_dir_all(dir).await.map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{id}.eml"));
    let partial = dir.join(format!(".{id}.eml.partial"));
    tokio::fs::write(&partial, bytes).await.map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    tokio::fs::rename(&partial, &path).await.map_err(|e| format!("cannot rename to {}: {e}", path.display()))?;
    Ok(path)
}

/// A one-line, bounded rendering of the user's prompt for a subject line.
fn short_prompt(prompt: &str) -> String {
    let line = prompt.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 60 {
        format!("{}…", line.chars().take(59).collect::<String>())
    } else {
        line
    }
}

/// Subject and plain-text body for a final job.
pub fn compose(job: &InfographRow, base_url: &str) -> (String, String) {
    let title = short_prompt(&job.user_prompt);
    if job.status == "completed" {
        (
            format!("Your infographic is ready: {title}"),
            format!(
                "Your infographic \"{title}\" is ready.\n\nSee it in your gallery: {base_url}/\n\n\
                 You get these emails because job notifications are on in your settings ({base_url}/settings).\n"
            ),
        )
    } else {
        let reason = job.error_message.as_deref().unwrap_or("the generation failed");
        let refund = if job.refunded_at.is_some() {
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

async fn mark_sent(db: &Db, row: &OutboxRow, note: Option<&str>) -> Result<(), sqlx::Error> {
    let _write = db.write_guard().await;
    sqlx::query("UPDATE email_outbox SET sent_at = $1, last_error = $2 WHERE id = $3 AND next_at = $4 AND sent_at IS NULL")
        .bind(now_ms())
        .bind(note)
        .bind(&row.id)
        .bind(row.next_at)
        .execute(&db.pool)
        .await?;
    Ok(())
}

async fn record_failure(db: &Db, row: &OutboxRow, reason: &str, delay: Duration) -> Result<(), sqlx::Error> {
    let _write = db.write_guard().await;
    sqlx::query("UPDATE email_outbox SET next_at = $1, last_error = $2 WHERE id = $3 AND next_at = $4 AND sent_at IS NULL")
        .bind(now_ms() + delay.as_millis() as i64)
        .bind(reason)
        .bind(&row.id)
        .bind(row.next_at)
        .execute(&db.pool)
        .await?;
    Ok(())
}

//! The database: pool setup, migrations, and the row types the repository functions return.
//!
//! One code path for both backends through sqlx's `Any` driver: SQLite (WAL) is the embedded
//! default, PostgreSQL the scale-out backend, chosen by the `DATABASE_URL` scheme. Statements use
//! `$N` placeholders, BIGINT times and TEXT ids, valid on both; where the backends differ (job
//! claiming), [`Backend`] picks the statement.

use crate::model::{InfographView, JobStatus};
use sqlx::any::{AnyPoolOptions, AnyConnectOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

pub type Pool = AnyPool;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: Pool,
    pub backend: Backend,
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn backend_of(url: &str) -> Result<Backend, sqlx::Error> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Backend::Postgres)
    } else {
        Err(sqlx::Error::Configuration(
            format!("unsupported DATABASE_URL (expected sqlite:// or postgres://): {}", redact_url(url)).into(),
        ))
    }
}

/// SQLite: create the file (and its folder) when missing.
fn sqlite_url(url: &str) -> Result<String, sqlx::Error> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let file = path.split('?').next().unwrap_or_default();
    if let Some(dir) = std::path::Path::new(file).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let pool = match backend {
            Backend::Sqlite => {
                let options = AnyConnectOptions::from_str(&sqlite_url(url)?)?;
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // WAL: readers never block the writer. busy_timeout: writers queue
                            // instead of failing when another connection holds the write lock.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 15000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url)
                    .await?
            }
        };
        Ok(Self { pool, backend, writer: Default::default() })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        sqlx::migrate!("../migrations").run(&self.pool).await
    }

    /// Taken around every write. SQLite allows one writer at a time and makes the others wait in
    /// its busy handler, which sleeps in growing steps (up to 100 ms): under load that becomes a
    /// tail latency of hundreds of milliseconds. Queueing writers here instead (FIFO, no sleeps)
    /// keeps the tail short. PostgreSQL locks rows, so there it is a no-op.
    pub async fn write_guard(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.writer.lock().await),
            Backend::Postgres => None,
        }
    }

    /// `FOR UPDATE SKIP LOCKED` where the backend has row locks (PostgreSQL): concurrent claimers
    /// on several instances take different rows instead of queueing on the same one. SQLite has
    /// one writer at a time, which already serialises claims.
    pub fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        }
    }
}

/// Keeps passwords in database URLs out of logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    /// 0 or 1 (see the migration).
    pub is_admin: i64,
    pub credit_balance: i64,
    pub created_at: i64,
}

impl UserRow {
    pub fn admin(&self) -> bool {
        self.is_admin != 0
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InfographRow {
    pub id: String,
    pub user_id: String,
    pub batch_id: String,
    pub user_prompt: String,
    pub built_prompt: Option<String>,
    pub blog_url: Option<String>,
    pub aspect_ratio: String,
    pub resolution: String,
    pub cost: i64,
    pub status: String,
    pub version: i64,
    pub attempts: i64,
    pub lease_until: Option<i64>,
    pub fal_request_id: Option<String>,
    pub fal_status_url: Option<String>,
    pub fal_response_url: Option<String>,
    pub fal_cancel_url: Option<String>,
    pub image_url: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub error_message: Option<String>,
    pub refunded_at: Option<i64>,
    pub submit_started_at: Option<i64>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub updated_at: i64,
    pub cancel_requested_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub regenerated_from: Option<String>,
    /// fal's URL once our copy serves `image_url` (see `server::storage`).
    pub source_image_url: Option<String>,
    pub thumbnail_url: Option<String>,
    /// What fal's status URL last said (`IN_QUEUE`, `IN_PROGRESS`), see `server::progress`.
    pub fal_phase: Option<String>,
    pub queue_position: Option<i64>,
    pub progress_version: i64,
    /// When our storage got its copy (see `server::storage`).
    pub stored_at: Option<i64>,
    /// When the copier stopped trying: the job keeps fal's URL.
    pub storage_gave_up_at: Option<i64>,
}

impl InfographRow {
    pub fn status(&self) -> JobStatus {
        // The CHECK constraint keeps the column to the four known values.
        self.status.parse().unwrap_or(JobStatus::Failed)
    }

    /// Whether a cancel can still act: not final, and not in the instant between our decision to
    /// submit and fal's answer (the job may already be at fal with no cancel URL known yet).
    pub fn cancellable(&self) -> bool {
        match self.status() {
            JobStatus::Queued => self.submit_started_at.is_none(),
            JobStatus::Processing => self.fal_cancel_url.is_some() && self.cancel_requested_at.is_none(),
            _ => false,
        }
    }

    /// The view with the default duration estimate; `progress::EtaCache::annotate` refines it
    /// with our own recent durations.
    pub fn view(&self) -> InfographView {
        let mut view = InfographView {
            id: self.id.clone(),
            status: self.status(),
            prompt: self.user_prompt.clone(),
            blog_url: self.blog_url.clone(),
            aspect_ratio: self.aspect_ratio.clone(),
            resolution: self.resolution.clone(),
            image_url: self.image_url.clone(),
            width: self.width,
            height: self.height,
            error: self.error_message.clone(),
            refunded: self.refunded_at.is_some(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            cancelled: self.cancelled_at.is_some(),
            cancellable: self.cancellable(),
            thumbnail_url: self.thumbnail_url.clone(),
            source_image_url: self.source_image_url.clone(),
            version: self.version,
            phase: crate::model::Phase::Queued,
            queue_position: None,
            progress: 0,
            eta_ms: None,
            progress_version: self.progress_version,
        };
        super::progress::annotate(&mut view, self, now_ms(), None);
        view
    }
}

pub const INFOGRAPH_COLUMNS: &str = "id, user_id, batch_id, user_prompt, built_prompt, blog_url, \
    aspect_ratio, resolution, cost, status, version, attempts, lease_until, fal_request_id, fal_status_url, \
    fal_response_url, fal_cancel_url, image_url, width, height, error_message, refunded_at, \
    submit_started_at, created_at, submitted_at, completed_at, updated_at, cancel_requested_at, \
    cancelled_at, deleted_at, regenerated_from, source_image_url, thumbnail_url, fal_phase, queue_position, \
    progress_version, stored_at, storage_gave_up_at";

/// Whether `id` could be one of our ids (UUIDs). Ids come from URL paths: anything else cannot
/// match, and some (a NUL byte) would make PostgreSQL reject the query with an error, not a miss.
pub fn plausible_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

pub async fn infograph_by_id(db: &Db, id: &str) -> Result<Option<InfographRow>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as::<_, InfographRow>(&format!(
        "SELECT {INFOGRAPH_COLUMNS} FROM infographs WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Ownership is part of the query: another user's id is indistinguishable from a missing one.
pub async fn infograph_for_user(
    db: &Db,
    user_id: &str,
    id: &str,
) -> Result<Option<InfographRow>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as::<_, InfographRow>(&format!(
        "SELECT {INFOGRAPH_COLUMNS} FROM infographs WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn infographs_for_user(
    db: &Db,
    user_id: &str,
    limit: i64,
) -> Result<Vec<InfographRow>, sqlx::Error> {
    sqlx::query_as::<_, InfographRow>(&format!(
        "SELECT {INFOGRAPH_COLUMNS} FROM infographs WHERE user_id = $1 AND deleted_at IS NULL \
         ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}

/// Hides an infograph from its owner. `false` when it is not theirs or already hidden.
pub async fn hide_infograph(db: &Db, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(false);
    }
    let now = now_ms();
    let _write = db.write_guard().await;
    let hidden = sqlx::query(
        "UPDATE infographs SET deleted_at = $1, updated_at = $1, version = version + 1 \
         WHERE id = $2 AND user_id = $3 AND deleted_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(user_id)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(hidden == 1)
}

pub async fn user_by_id(db: &Db, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as::<_, UserRow>(
        "SELECT id, email, password_hash, is_admin, credit_balance, created_at FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn user_by_email(db: &Db, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    // PostgreSQL text cannot hold NUL: such an email is nobody's, not a database error.
    if email.contains('\0') {
        return Ok(None);
    }
    sqlx::query_as::<_, UserRow>(
        "SELECT id, email, password_hash, is_admin, credit_balance, created_at FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(&db.pool)
    .await
}

/// SQL list of the statuses a job may be in for `next` to be written, e.g. `'queued','processing'`.
/// Built from the state machine in [`JobStatus::can_become`], so SQL and Rust cannot disagree.
pub fn predecessors_sql(next: JobStatus) -> String {
    JobStatus::predecessors(next)
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

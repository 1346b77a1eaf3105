//! The database handle: two pools, migrations, ids and times.
//!
//! One code path for both backends through sqlx's `Any` driver: SQLite (WAL) is the embedded
//! default, PostgreSQL the scale-out backend, chosen by the `DATABASE_URL` scheme. Statements use
//! `$N` placeholders, BIGINT times and TEXT ids, valid on both; where the backends differ (row
//! claiming), [`Db::skip_locked`] picks the statement.
//!
//! Reads and writes go through different doors. [`Db::read`] hands out a pool whose connections
//! are read-only (SQLite `query_only`, PostgreSQL `READ ONLY` transactions), so a write sent
//! through it fails at once in any test. [`Db::write`] is the only way to a connection that can
//! write: on SQLite it first takes the writers' turn (see [`Writer`]), so a forgotten lock is not
//! something the code can express.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

pub type Pool = AnyPool;
/// A connection inside a write transaction, for repository functions that take part in one.
pub type Conn = AnyConnection;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    reader: Pool,
    writer: Pool,
    pub backend: Backend,
    turn: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// The right to write, held for as long as the value lives. SQLite allows one writer at a time
/// and makes the others wait in its busy handler, which sleeps in growing steps (up to 100 ms):
/// under load that becomes a tail latency of hundreds of milliseconds. Queueing writers here
/// instead (FIFO, no sleeps) keeps the tail short. PostgreSQL locks rows, so there the turn is
/// not taken.
pub struct Writer<'a> {
    pool: &'a Pool,
    _turn: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl Writer<'_> {
    /// The executor for a single write statement.
    pub fn pool(&self) -> &Pool {
        self.pool
    }

    /// A transaction that cannot outlive this writer's turn.
    pub async fn begin(&self) -> Result<WriteTx<'_>, sqlx::Error> {
        Ok(WriteTx { tx: self.pool.begin().await?, _writer: std::marker::PhantomData })
    }
}

/// A write transaction, borrowed from its [`Writer`]. Dereferences to the connection, so
/// statements run on `&mut *tx`.
pub struct WriteTx<'w> {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _writer: std::marker::PhantomData<&'w ()>,
}

impl WriteTx<'_> {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

impl Db {
    /// At shutdown: SQLite's write-ahead log folded into the database file (so a copy of the file
    /// alone is whole), then both pools closed; bounded, as connections of aborted tasks may be
    /// slow to come back.
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite {
            let w = self.write().await;
            if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(w.pool()).await {
                tracing::warn!(error = %err, "could not checkpoint the write-ahead log");
            }
        }
        let closing = async {
            self.reader.close().await;
            self.writer.close().await;
        };
        if tokio::time::timeout(Duration::from_secs(5), closing).await.is_err() {
            tracing::warn!("database connections still busy at shutdown");
        }
    }
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

/// Whether `id` could be one of our ids (UUIDs). Ids come from URL paths: anything else cannot
/// match, and some (a NUL byte) would make PostgreSQL reject the query with an error, not a miss.
pub fn plausible_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
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

/// WAL: readers never block the writer. busy_timeout: a writer of another process queues
/// instead of failing while this one holds the write lock.
const SQLITE_SETUP: &str =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 15000;";

async fn sqlite_pool(url: &str, connections: u32, read_only: bool) -> Result<Pool, sqlx::Error> {
    let options = AnyConnectOptions::from_str(&sqlite_url(url)?)?;
    AnyPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                conn.execute(SQLITE_SETUP).await?;
                if read_only {
                    conn.execute("PRAGMA query_only = ON;").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
}

async fn postgres_pool(url: &str, connections: u32, read_only: bool) -> Result<Pool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if read_only {
                    conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY").await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let (reader, writer) = match backend {
            // The writer pool opens first: it creates the file and switches it to WAL.
            Backend::Sqlite => {
                let writer = sqlite_pool(url, 2, false).await?;
                (sqlite_pool(url, 8, true).await?, writer)
            }
            Backend::Postgres => (postgres_pool(url, 16, true).await?, postgres_pool(url, 16, false).await?),
        };
        Ok(Self { reader, writer, backend, turn: Default::default() })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        let _turn = self.write().await;
        sqlx::migrate!("../migrations").run(&self.writer).await
    }

    /// The newest migration the database has applied and the newest this build carries: equal
    /// when the schema is current (a newer database means a newer build migrated it).
    pub async fn migration_versions(&self) -> Result<(i64, i64), sqlx::Error> {
        let known = sqlx::migrate!("../migrations").iter().map(|m| m.version).max().unwrap_or_default();
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&self.reader)
            .await?;
        Ok((applied.unwrap_or_default(), known))
    }

    /// The pool for queries that only read.
    pub fn read(&self) -> &Pool {
        &self.reader
    }

    /// Both pools by name, for the metrics' connection counts (never for queries).
    pub fn pools(&self) -> [(&'static str, &Pool); 2] {
        [("read", &self.reader), ("write", &self.writer)]
    }

    /// Waits for the writers' turn (SQLite) and returns the handle that can write.
    pub async fn write(&self) -> Writer<'_> {
        let turn = match self.backend {
            Backend::Sqlite => Some(self.turn.lock().await),
            Backend::Postgres => None,
        };
        Writer { pool: &self.writer, _turn: turn }
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

/// Reads a TEXT column straight into an enum: `text_column!(Type, parse)`, where `parse` takes
/// the text to `Option<Type>`. A value the enum does not know fails the query with a decode
/// error naming it; it is never read as some default.
macro_rules! text_column {
    ($ty:ty, $parse:expr) => {
        impl sqlx::Type<sqlx::Any> for $ty {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $ty {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<sqlx::Any>>::decode(value)?;
                let parse: fn(&str) -> Option<$ty> = $parse;
                parse(&text).ok_or_else(|| format!("unknown {} {text:?}", stringify!($ty)).into())
            }
        }
    };
}
pub(crate) use text_column;

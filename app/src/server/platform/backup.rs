//! `infograph backup PATH`: a consistent copy of the SQLite database, taken while the server runs.
//!
//! `VACUUM INTO` reads the database in one read transaction, so the copy is a snapshot of one
//! moment (WAL readers never block the writer, so the server keeps going meanwhile). It is written
//! to a temporary name in PATH's folder, checked (`PRAGMA integrity_check`, and the same migration
//! version as the source), flushed to disk, and only then linked to PATH: a crash or a failed
//! check never leaves a file at PATH, and an existing file there is never replaced.
//!
//! Stored images are not in the database: under the data dir they are plain files written once,
//! which a file copy (`rsync`) backs up; see docs/operating.md. PostgreSQL has its own tools
//! (`pg_dump`, base backups with WAL archiving), which this module refuses to imitate.

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// Why a backup was not made, in a sentence for the operator.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BackupError(String);

fn fail(message: impl Into<String>) -> BackupError {
    BackupError(message.into())
}

/// What was written.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    /// The newest migration applied, in the source and (checked) in the copy.
    pub migration: i64,
    /// Every table of the copy with its row count, by name.
    pub tables: Vec<(String, i64)>,
}

impl std::fmt::Display for BackupReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows: Vec<String> = self.tables.iter().map(|(name, n)| format!("{name} {n}")).collect();
        write!(
            f,
            "wrote {} ({} bytes): integrity ok, migration {}, {} tables\n  rows: {}",
            self.path.display(),
            self.bytes,
            self.migration,
            self.tables.len(),
            rows.join(", ")
        )
    }
}

/// Copies the SQLite database at `database_url` to `dest`, which must not exist yet.
pub async fn backup(database_url: &str, dest: &Path) -> Result<BackupReport, BackupError> {
    let source = source_options(database_url)?;
    check_destination(dest)?;
    let partial = partial_name(dest)?;
    let result = copy_and_check(source, &partial).await;
    let report = match result {
        Ok((migration, tables)) => publish(&partial, dest).map(|bytes| BackupReport { path: dest.to_path_buf(), bytes, migration, tables }),
        Err(e) => Err(e),
    };
    if report.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    report
}

/// The source database, opened as it is: never created, never migrated.
fn source_options(database_url: &str) -> Result<SqliteConnectOptions, BackupError> {
    if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        return Err(fail(
            "infograph backup copies SQLite databases only; DATABASE_URL is PostgreSQL: use pg_dump or PITR (base backups with WAL archiving); see docs/operating.md",
        ));
    }
    if !database_url.starts_with("sqlite:") {
        return Err(fail(format!(
            "infograph backup copies SQLite databases only, and DATABASE_URL is not sqlite://…: {}",
            super::db::redact_url(database_url)
        )));
    }
    let options = SqliteConnectOptions::from_str(database_url)
        .map_err(|e| fail(format!("DATABASE_URL is not a usable SQLite URL: {e}")))?
        .create_if_missing(false)
        // The server holds the write lock for short moments; wait for them instead of failing.
        .busy_timeout(Duration::from_secs(15));
    let file = options.get_filename();
    if file.as_os_str().is_empty() || file.to_string_lossy().contains(":memory:") || database_url.contains("mode=memory") {
        return Err(fail("DATABASE_URL is an in-memory SQLite database: there is nothing on disk to back up"));
    }
    if !file.is_file() {
        return Err(fail(format!("there is no SQLite database at {} (from DATABASE_URL)", file.display())));
    }
    Ok(options)
}

fn check_destination(dest: &Path) -> Result<(), BackupError> {
    if dest.as_os_str().is_empty() {
        return Err(fail("give the path of the copy to write, e.g. infograph backup /var/backups/infograph/2024-05-01.db"));
    }
    if std::fs::symlink_metadata(dest).is_ok() {
        return Err(fail(format!(
            "{} already exists; a backup never overwrites a file: choose a new name (a date in it helps) or remove the old one first",
            dest.display()
        )));
    }
    let folder = folder_of(dest);
    if !folder.is_dir() {
        return Err(fail(format!("the folder {} does not exist; create it first", folder.display())));
    }
    Ok(())
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Next to `dest` (so the final rename stays on one file system), named after it and this
/// process, so a crashed run's leftover is recognisable and never in a later run's way.
fn partial_name(dest: &Path) -> Result<PathBuf, BackupError> {
    let name = dest.file_name().ok_or_else(|| fail(format!("{} names a folder, not a file", dest.display())))?;
    let mut partial = name.to_os_string();
    partial.push(format!(".partial-{}", std::process::id()));
    Ok(folder_of(dest).join(partial))
}

/// Writes the snapshot to `partial` and checks it; returns its migration and table row counts.
async fn copy_and_check(source: SqliteConnectOptions, partial: &Path) -> Result<(i64, Vec<(String, i64)>), BackupError> {
    let source_file = source.get_filename().display().to_string();
    let mut conn = source.connect().await.map_err(|e| fail(format!("cannot open {source_file}: {e}")))?;
    let migration = latest_migration(&mut conn)
        .await
        .map_err(|e| fail(format!("{source_file} is not an Infograph database, or not a readable one: {e}")))?;
    let target = partial.to_str().ok_or_else(|| fail(format!("{} is not valid UTF-8; choose a plainer path", partial.display())))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut conn)
        .await
        .map_err(|e| fail(format!("copying {source_file} failed: {e}")))?;
    let _ = conn.close().await;
    verify_copy(partial, migration).await.map(|tables| (migration, tables))
}

async fn latest_migration(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations WHERE success = 1")
        .fetch_one(&mut *conn)
        .await?
        .ok_or_else(|| sqlx::Error::Protocol("no migration has been applied".into()))
}

/// Opens the copy read-only and without locks (nothing else knows of it yet) and checks it.
async fn verify_copy(partial: &Path, migration: i64) -> Result<Vec<(String, i64)>, BackupError> {
    let options = SqliteConnectOptions::new().filename(partial).read_only(true).immutable(true);
    let mut conn = options.connect().await.map_err(|e| fail(format!("cannot open the copy to check it: {e}")))?;
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| fail(format!("the integrity check of the copy failed to run: {e}")))?;
    if problems != ["ok"] {
        return Err(fail(format!("the copy failed its integrity check: {}", problems.join("; "))));
    }
    let copied = latest_migration(&mut conn).await.map_err(|e| fail(format!("the copy has no migration record: {e}")))?;
    if copied != migration {
        return Err(fail(format!(
            "the copy is at migration {copied} but the database was at {migration} (was the server upgraded meanwhile?); run the backup again"
        )));
    }
    let tables = row_counts(&mut conn).await.map_err(|e| fail(format!("counting the copy's rows failed: {e}")))?;
    let _ = conn.close().await;
    Ok(tables)
}

async fn row_counts(conn: &mut SqliteConnection) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{}\"", name.replace('"', "\"\"")))
            .fetch_one(&mut *conn)
            .await?;
        tables.push((name, count));
    }
    Ok(tables)
}

/// Makes the checked copy durable and gives it its name; returns its size. A hard link, unlike a
/// rename, fails when the name was taken meanwhile instead of replacing that file.
fn publish(partial: &Path, dest: &Path) -> Result<u64, BackupError> {
    let file = std::fs::File::open(partial).map_err(|e| fail(format!("cannot reopen the copy: {e}")))?;
    file.sync_all().map_err(|e| fail(format!("cannot flush the copy to disk: {e}")))?;
    let bytes = file.metadata().map(|m| m.len()).unwrap_or_default();
    drop(file);
    match std::fs::hard_link(partial, dest) {
        Ok(()) => {
            let _ = std::fs::remove_file(partial);
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(fail(format!("{} appeared while the copy was made; it was left alone and nothing was written", dest.display())));
        }
        // File systems without hard links: the name was free a moment ago.
        Err(_) => std::fs::rename(partial, dest).map_err(|e| fail(format!("cannot name the copy {}: {e}", dest.display())))?,
    }
    // The new name is durable once its folder is.
    if let Ok(dir) = std::fs::File::open(folder_of(dest)) {
        let _ = dir.sync_all();
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuses_postgres_an_existing_file_and_a_missing_database() {
        let pg = backup("postgres://u:secret@db/infograph", Path::new("/tmp/x.db")).await.unwrap_err().to_string();
        assert!(pg.contains("pg_dump") && pg.contains("docs/operating.md"), "{pg}");
        let dir = tempfile::tempdir().expect("dir");
        let existing = dir.path().join("there.db");
        std::fs::write(&existing, b"keep me").expect("write");
        let db = format!("sqlite://{}", dir.path().join("source.db").display());
        std::fs::write(dir.path().join("source.db"), b"").expect("write");
        let taken = backup(&db, &existing).await.unwrap_err().to_string();
        assert!(taken.contains("already exists"), "{taken}");
        assert_eq!(std::fs::read(&existing).expect("read"), b"keep me");
        let missing = format!("sqlite://{}", dir.path().join("nope.db").display());
        let none = backup(&missing, &dir.path().join("copy.db")).await.unwrap_err().to_string();
        assert!(none.contains("no SQLite database at"), "{none}");
        assert!(!dir.path().join("nope.db").exists(), "the source is never created");
    }

    #[tokio::test]
    async fn a_copy_of_a_migrated_database_is_checked_and_complete() {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("source.db").display());
        let db = super::super::db::Db::connect(&url).await.expect("db");
        db.migrate().await.expect("migrate");
        let dest = dir.path().join("copy.db");
        let report = backup(&url, &dest).await.expect("backup");
        assert!(report.migration >= 18, "{report}");
        assert!(report.tables.iter().any(|(t, _)| t == "_sqlx_migrations"), "{report}");
        assert!(report.tables.iter().any(|(t, _)| t == "infographs"), "{report}");
        assert_eq!(report.bytes, std::fs::metadata(&dest).expect("copy").len());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".partial-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        let again = backup(&url, &dest).await.unwrap_err().to_string();
        assert!(again.contains("already exists"), "{again}");
    }
}

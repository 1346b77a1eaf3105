//! The restore drill: `infograph backup` copies a SQLite database while a server takes a create
//! load, the first server goes away, and a new server started on the copy must end every job the
//! copy caught in flight, refunding the failed ones, with every balance equal to its ledger.

use crate::running::{add_user, api_token, spawn_listening, Running, SERVE_LINE};
use serde_json::json;
use sqlx::AnyPool;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const USERS: usize = 3;
const CREDITS: i64 = 1000;
/// Concurrent creates kept going during the backups.
const LANES: usize = 6;
/// Creates that end on the first server before the load, so the copies hold ended jobs too.
const WARM_UP: usize = 10;
/// A bound on the load, far above what the test waits for, so credits never run out.
const MAX_CREATES: usize = 1500;
/// The restored server's hard timeout: what ends the jobs the copy caught at the first server's
/// fal (its emulator went with it, so no webhook or poll will ever answer for them).
const RESTORED_JOB_TIMEOUT_SECS: u64 = 5;

static NEXT: AtomicUsize = AtomicUsize::new(0);

fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("infograph-{what}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst)));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

fn infograph(db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_infograph"));
    cmd.env("DATABASE_URL", db).env_remove("FAL_KEY").env_remove("STORAGE_URL").env_remove("DATA_DIR").env("RUST_LOG", "warn");
    cmd
}

fn run(mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("run infograph")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `infograph serve` on `db` with the built-in emulator; `job_timeout_secs` is the hard timeout.
fn serve(db: &str, data_dir: &Path, emulator_delay_ms: u64, job_timeout_secs: u64) -> (Running, String) {
    let mut cmd = infograph(db);
    cmd.arg("serve")
        .env("DATA_DIR", data_dir)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env_remove("PUBLIC_BASE_URL")
        .env("FAL_EMULATOR", "true")
        .env("FAL_EMULATOR_DELAY_MS", emulator_delay_ms.to_string())
        .env("RECONCILE_AFTER_SECS", "1")
        .env("JOB_LEASE_SECS", "2")
        .env("JOB_TIMEOUT_SECS", job_timeout_secs.to_string())
        .env("CREATE_RATE_PER_MINUTE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    spawn_listening(cmd, SERVE_LINE)
}

fn email(user: usize) -> String {
    format!("drill{user}@example.com")
}

fn add_users(db: &str) {
    for user in 0..USERS {
        add_user(db, &email(user), CREDITS);
    }
}

async fn token(http: &reqwest::Client, base: &str, user: usize) -> String {
    api_token(http, base, &email(user)).await
}

/// One in ten fails at fal, one in ten never gets a webhook (the reconciler polls for it).
fn prompt(i: usize) -> String {
    match i % 10 {
        0 => format!("[emulator:fail] drill job {i}"),
        1 => format!("[emulator:nowebhook] drill job {i}"),
        _ => format!("drill job {i}"),
    }
}

/// One create, numbered `i` (which picks its prompt and its user); returns the status.
async fn create(http: &reqwest::Client, base: &str, tokens: &[String], i: usize) -> u16 {
    http.post(format!("{base}/api/infographs/create/"))
        .header("Authorization", format!("Token {}", tokens[i % tokens.len()]))
        .json(&json!({ "prompt": prompt(i) }))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// The load: creates numbered from `first`, `LANES` at a time, until `stop`; `accepted` counts
/// the 201 answers, and starts at `first` (the creates before it were all accepted).
struct Load {
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    lanes: tokio::task::JoinSet<Vec<u16>>,
}

fn start_load(http: &reqwest::Client, base: &str, tokens: &[String], first: usize) -> Load {
    let accepted = Arc::new(AtomicUsize::new(first));
    let stop = Arc::new(AtomicBool::new(false));
    let issued = Arc::new(AtomicUsize::new(first));
    let mut lanes = tokio::task::JoinSet::new();
    for _ in 0..LANES {
        let (http, base, tokens) = (http.clone(), base.to_string(), tokens.to_vec());
        let (accepted, stop, issued) = (accepted.clone(), stop.clone(), issued.clone());
        lanes.spawn(async move {
            let mut refused = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let i = issued.fetch_add(1, Ordering::SeqCst);
                if i >= MAX_CREATES {
                    break;
                }
                let status = create(&http, &base, &tokens, i).await;
                if status == 201 {
                    accepted.fetch_add(1, Ordering::SeqCst);
                } else {
                    refused.push(status);
                }
            }
            refused
        });
    }
    Load { accepted, stop, lanes }
}

/// Waits (bounded) until the load has had at least `n` creates accepted.
async fn wait_for_accepted(load: &Load, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while load.accepted.load(Ordering::SeqCst) < n {
        assert!(Instant::now() < deadline, "only {} creates accepted, waiting for {n}", load.accepted.load(Ordering::SeqCst));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs `infograph backup` (the process) mid-load; returns how many creates had been accepted
/// when it started.
async fn backup_mid_load(db: &str, load: &Load, dest: &Path) -> usize {
    let accepted_before = load.accepted.load(Ordering::SeqCst);
    let mut cmd = infograph(db);
    cmd.arg("backup").arg(dest);
    let out = tokio::task::spawn_blocking(move || run(cmd)).await.expect("backup");
    assert!(out.status.success(), "backup failed: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("integrity ok"), "{stdout}");
    assert!(stdout.contains("stored images are not in this copy"), "{stdout}");
    eprintln!("{stdout}accepted before: {accepted_before}, after: {}", load.accepted.load(Ordering::SeqCst));
    accepted_before
}

/// Creates `WARM_UP` jobs (one failing at fal, one without a webhook) and waits (bounded,
/// polling the live database) until all have ended.
async fn warm_up(http: &reqwest::Client, base: &str, tokens: &[String], live: &Path) {
    let mut creates = tokio::task::JoinSet::new();
    for i in 0..WARM_UP {
        let (http, base, tokens) = (http.clone(), base.to_string(), tokens.to_vec());
        creates.spawn(async move { create(&http, &base, &tokens, i).await });
    }
    while let Some(status) = creates.join_next().await {
        assert_eq!(status.expect("create"), 201);
    }
    let pool = open_pool(live).await;
    wait_until_no_job_is_open(&pool, "the first server").await;
    let failed = scalar(&pool, "SELECT COUNT(*) FROM infographs WHERE status = 'failed'").await;
    assert_eq!(failed, 1, "only the [emulator:fail] job of the warm-up fails");
    pool.close().await;
}

async fn scalar(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.expect(sql)
}

async fn open_pool(file: &Path) -> AnyPool {
    sqlx::any::install_default_drivers();
    AnyPool::connect(&sqlite_url(file)).await.expect("open the copy")
}

/// Where a job stood in the copy, which decides how it may end on the restored server.
#[derive(Debug)]
struct Caught {
    status: String,
    prompt: String,
    /// Sent (or being sent) to the first server's fal: no answer can come any more.
    at_first_fal: bool,
    refunds: i64,
}

async fn jobs_in_copy(pool: &AnyPool) -> HashMap<String, Caught> {
    let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT i.id, i.status, i.user_prompt, \
         CASE WHEN i.fal_request_id IS NOT NULL OR i.submit_started_at IS NOT NULL THEN 1 ELSE 0 END, \
         (SELECT COUNT(*) FROM credit_ledger l WHERE l.infograph_id = i.id AND l.reason = 'refund') \
         FROM infographs i",
    )
    .fetch_all(pool)
    .await
    .expect("jobs");
    rows.into_iter()
        .map(|(id, status, prompt, at_fal, refunds)| (id, Caught { status, prompt, at_first_fal: at_fal == 1, refunds }))
        .collect()
}

const OPEN: &str = "SELECT COUNT(*) FROM infographs WHERE status NOT IN ('completed', 'failed')";

async fn wait_until_no_job_is_open(pool: &AnyPool, server: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let open = scalar(pool, OPEN).await;
        if open == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{open} jobs never reached a final state on {server}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// How each job the copy held may end: unchanged if it had ended; failed by the timeout if it was
/// at the first server's fal; else as the restored server's own emulator decides, or the timeout.
fn check_ending(id: &str, caught: &Caught, status: &str, error: Option<&str>, refunds: i64) {
    let timed_out = error.unwrap_or("").contains("timed out");
    if caught.status == "completed" || caught.status == "failed" {
        assert_eq!((status, refunds), (caught.status.as_str(), caught.refunds), "{id} had ended in the copy: {caught:?}");
    } else if caught.at_first_fal {
        assert!(status == "failed" && timed_out, "{id} was at the first server's fal: {status} {error:?} ({caught:?})");
    } else if caught.prompt.starts_with("[emulator:fail]") {
        assert_eq!(status, "failed", "{id}: {caught:?}");
    } else {
        assert!(status == "completed" || (status == "failed" && timed_out), "{id}: {status} {error:?} ({caught:?})");
    }
    assert_eq!(refunds, i64::from(status == "failed"), "{id} ended {status} with {refunds} refunds");
}

async fn assert_books_balance(pool: &AnyPool) {
    let users: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT u.email, u.credit_balance, \
         CAST((SELECT COALESCE(SUM(l.amount), 0) FROM credit_ledger l WHERE l.user_id = u.id) AS BIGINT) FROM users u",
    )
    .fetch_all(pool)
    .await
    .expect("users");
    assert_eq!(users.len(), USERS);
    for (email, balance, ledger) in users {
        assert_eq!(balance, ledger, "{email}: the balance is its ledger's sum");
    }
    // A create is charged once for its batch (one job each here), at the job's cost.
    let not_charged_once = scalar(
        pool,
        "SELECT COUNT(*) FROM infographs i WHERE (SELECT COUNT(*) FROM credit_ledger l WHERE l.batch_id = i.batch_id AND l.reason = 'debit') <> 1 \
         OR (SELECT SUM(-l.amount) FROM credit_ledger l WHERE l.batch_id = i.batch_id AND l.reason = 'debit') <> i.cost",
    )
    .await;
    assert_eq!(not_charged_once, 0, "every job was charged exactly once, its cost");
    let refunded_completed = scalar(
        pool,
        "SELECT COUNT(*) FROM credit_ledger l JOIN infographs i ON i.id = l.infograph_id WHERE l.reason = 'refund' AND i.status = 'completed'",
    )
    .await;
    assert_eq!(refunded_completed, 0, "no completed job was refunded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_load_restores_into_a_consistent_service() {
    let first_dir = temp_dir("backup-live");
    let first_db = sqlite_url(&first_dir.join("live.db"));
    add_users(&first_db);
    // A slow emulator keeps jobs at fal while the copies are taken.
    let (first, base) = serve(&first_db, &first_dir, 500, 120);
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    let mut tokens = Vec::new();
    for user in 0..USERS {
        tokens.push(token(&http, &base, user).await);
    }

    warm_up(&http, &base, &tokens, &first_dir.join("live.db")).await;
    let mut load = start_load(&http, &base, &tokens, WARM_UP);
    let backup_dir = temp_dir("backup-copies");
    wait_for_accepted(&load, WARM_UP + 20).await;
    let early = backup_dir.join("early.db");
    let accepted_before_early = backup_mid_load(&first_db, &load, &early).await;
    wait_for_accepted(&load, accepted_before_early + 30).await;
    let restored_dir = temp_dir("backup-restored");
    let copy = restored_dir.join("restored.db");
    let accepted_before_copy = backup_mid_load(&first_db, &load, &copy).await;
    wait_for_accepted(&load, accepted_before_copy + 10).await;
    load.stop.store(true, Ordering::SeqCst);
    while let Some(refused) = load.lanes.join_next().await {
        assert_eq!(refused.expect("lane"), Vec::<u16>::new(), "every create was accepted");
    }
    let accepted = load.accepted.load(Ordering::SeqCst);
    assert!(accepted < MAX_CREATES, "the load ran out before the backups were done");
    // The first server (and its emulator, where the copy's in-flight jobs are) goes away.
    drop(first);

    let early_pool = open_pool(&early).await;
    let in_early = scalar(&early_pool, "SELECT COUNT(*) FROM infographs").await;
    early_pool.close().await;
    let copy_pool = open_pool(&copy).await;
    let caught = jobs_in_copy(&copy_pool).await;
    copy_pool.close().await;
    let in_copy = caught.len() as i64;
    eprintln!("accepted {accepted}; early copy {in_early} jobs (≥ {accepted_before_early}), restored copy {in_copy} (≥ {accepted_before_copy})");
    assert!(in_early >= accepted_before_early as i64, "the early copy lacks accepted jobs: {in_early} < {accepted_before_early}");
    assert!(in_copy >= accepted_before_copy as i64, "the copy lacks accepted jobs: {in_copy} < {accepted_before_copy}");
    assert!(in_copy >= in_early, "a later copy holds at least what an earlier one did");
    let open_in_copy: Vec<&Caught> = caught.values().filter(|c| c.status != "completed" && c.status != "failed").collect();
    let at_fal = open_in_copy.iter().filter(|c| c.at_first_fal).count();
    let ended_in_copy = caught.len() - open_in_copy.len();
    eprintln!("open in the copy: {} ({at_fal} at the first server's fal), ended: {ended_in_copy}", open_in_copy.len());
    assert!(!open_in_copy.is_empty(), "the copy must catch jobs in flight, or the drill proves nothing");

    // Restore: the copy is the new server's database, with a data dir of its own.
    let (_restored, _restored_base) = serve(&sqlite_url(&copy), &restored_dir, 300, RESTORED_JOB_TIMEOUT_SECS);
    let pool = open_pool(&copy).await;
    wait_until_no_job_is_open(&pool, "the restored server").await;

    let ended: Vec<(String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT i.id, i.status, i.error_message, \
         (SELECT COUNT(*) FROM credit_ledger l WHERE l.infograph_id = i.id AND l.reason = 'refund') FROM infographs i",
    )
    .fetch_all(&pool)
    .await
    .expect("jobs");
    assert_eq!(ended.len(), caught.len(), "the restored server creates no job by itself");
    let mut endings: HashMap<String, usize> = HashMap::new();
    for (id, status, error, refunds) in &ended {
        let before = caught.get(id).unwrap_or_else(|| panic!("{id} was not in the copy"));
        check_ending(id, before, status, error.as_deref(), *refunds);
        let how = if error.as_deref().unwrap_or("").contains("timed out") { "timed out" } else { status.as_str() };
        let was = match before.status.as_str() {
            "completed" | "failed" => "ended",
            _ if before.at_first_fal => "at fal",
            _ => "not yet at fal",
        };
        *endings.entry(format!("{was} → {how}")).or_default() += 1;
    }
    eprintln!("endings on the restored server, by where the copy had them: {endings:?}");
    assert_books_balance(&pool).await;
    pool.close().await;
    for dir in [first_dir, backup_dir, restored_dir] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn backup_refuses_postgres_and_an_existing_path_with_clear_messages() {
    let dir = temp_dir("backup-refusals");
    let mut pg = infograph("postgres://infograph:secret@127.0.0.1:9/infograph");
    pg.arg("backup").arg(dir.join("pg.db"));
    let out = run(pg);
    assert!(!out.status.success(), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("pg_dump") && stderr.contains("PITR") && stderr.contains("docs/operating.md"), "{stderr}");
    assert!(!stderr.contains("secret"), "the password stays out of the message: {stderr}");
    assert!(!dir.join("pg.db").exists());

    let db = sqlite_url(&dir.join("live.db"));
    add_users(&db);
    let taken = dir.join("taken.db");
    std::fs::write(&taken, b"an older backup").expect("write");
    let mut again = infograph(&db);
    again.arg("backup").arg(&taken);
    let out = run(again);
    assert!(!out.status.success(), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("already exists") && stderr.contains("never overwrites"), "{stderr}");
    assert_eq!(std::fs::read(&taken).expect("read"), b"an older backup", "the existing file is untouched");

    let mut missing_folder = infograph(&db);
    missing_folder.arg("backup").arg(dir.join("no-such-folder").join("copy.db"));
    let out = run(missing_folder);
    assert!(!out.status.success(), "{out:?}");
    assert!(text(&out.stderr).contains("does not exist"), "{out:?}");

    let mut fine = infograph(&db);
    fine.arg("backup").arg(dir.join("copy.db"));
    let out = run(fine);
    assert!(out.status.success(), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("integrity ok") && stdout.contains("users 3"), "{stdout}");
    assert!(stdout.contains(&dir.join("images").display().to_string()), "names the images to copy: {stdout}");
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".partial-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

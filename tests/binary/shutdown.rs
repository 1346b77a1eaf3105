//! SIGTERM, as every deploy and autoscaler sends it, proven with real processes: two instances on
//! one PostgreSQL database behind a client that, like a load balancer, sends each create to
//! either and retries elsewhere (same `Idempotency-Key`) when a connection is refused or closed
//! unanswered. Instance A gets SIGTERM in the middle of the load, with jobs of its own still
//! reading a slow blog. Nothing accepted may fail, no job may be lost or charged twice, A's open
//! event stream must end at once (so browsers reconnect elsewhere), the leases A held must be
//! given back (the lease here is ten minutes: a job left leased would never finish in time),
//! and the ledger must equal the balances. Runs when `TEST_POSTGRES_URL` is set.

use crate::running::{add_user, api_token, spawn_listening, Running, EMULATOR_LINE, SERVE_LINE};
use crate::scale_out::fresh_database;
use serde_json::{json, Value};
use sqlx::AnyPool;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const EMULATOR_KEY: &str = "shutdown-emulator-key";
const CREDITS: i64 = 1000;
const CREATES: usize = 120;
/// Blog posts take this long to serve: A is stopped while reading some.
const SLOW_BLOG: Duration = Duration::from_secs(4);

fn infograph() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_infograph"));
    cmd.env_remove("FAL_KEY").env_remove("FAL_EMULATOR").env("RUST_LOG", "warn").stdout(Stdio::null()).stderr(Stdio::inherit());
    cmd
}

fn spawn_instance(db: &str, public: Option<&str>, emulator: &str, blog: &str) -> (Running, String) {
    let mut cmd = infograph();
    cmd.arg("serve")
        .env("DATABASE_URL", db)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env_remove("PUBLIC_BASE_URL")
        .env("FAL_KEY", EMULATOR_KEY)
        .env("FAL_WEBHOOK_USER_ID", "emulator-user")
        .env("FAL_QUEUE_URL", format!("{emulator}/queue"))
        .env("FAL_JWKS_URL", format!("{emulator}/.well-known/jwks.json"))
        .env("FETCH_ALLOW_ADDRS", format!("{},{blog}", emulator.trim_start_matches("http://")))
        .env("RECONCILE_AFTER_SECS", "2")
        .env("JOB_TIMEOUT_SECS", "600")
        // Ten minutes: only a lease given back lets another instance take the job in time.
        .env("JOB_LEASE_SECS", "600")
        .env("SHUTDOWN_GRACE_SECS", "2")
        .env("SIGNUP_CREDITS", CREDITS.to_string())
        .env("CREATE_RATE_PER_MINUTE", "0");
    if let Some(public) = public {
        cmd.env("PUBLIC_BASE_URL", public);
    }
    spawn_listening(cmd, SERVE_LINE)
}

/// A blog that answers each request after [`SLOW_BLOG`]: a plain article.
async fn spawn_slow_blog() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind blog");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                tokio::time::sleep(SLOW_BLOG).await;
                let paragraph = "<p>Slow blogs are read within a deadline, and a stopping server gives the job back.</p>".repeat(8);
                let body = format!("<html><head><title>A slow post</title></head><body><article><h1>A slow post</h1>{paragraph}</article></body></html>");
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(body.as_bytes()).await;
            });
        }
    });
    addr.to_string()
}

fn sigterm(process: &Running) {
    let sent = Command::new("kill").args(["-TERM", &process.0.id().to_string()]).status().expect("kill");
    assert!(sent.success());
}

/// Waits (bounded) for the process to exit, returning its status.
fn exited(process: &mut Running, within: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = process.0.try_wait().expect("wait") {
            return status;
        }
        assert!(started.elapsed() < within, "still running {within:?} after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn scalar(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.expect(sql)
}

/// How one create went, from the client's side.
#[derive(Default)]
struct Tally {
    /// Transport errors (refused, or closed before an answer), each retried on the other instance.
    retried: AtomicUsize,
}

/// Creates until it gets an answer: a transport error is retried with the same key on `fallback`;
/// any HTTP answer is returned as it is (the test wants every one to be 201).
async fn create(http: &reqwest::Client, first: &str, fallback: &str, token: &str, i: usize, tally: &Tally) -> (u16, String) {
    let prompt = match i % 10 {
        0 => format!("[emulator:fail] job {i}"),
        _ => format!("job {i}"),
    };
    let body = json!({ "prompt": prompt });
    let key = format!("shutdown-{i}");
    let mut base = first;
    for _ in 0..5 {
        let sent = http
            .post(format!("{base}/api/infographs/create/"))
            .header("Authorization", format!("Token {token}"))
            .header("Idempotency-Key", &key)
            .json(&body)
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status().as_u16();
                return (status, response.text().await.unwrap_or_default());
            }
            Err(_) => {
                tally.retried.fetch_add(1, Ordering::SeqCst);
                base = fallback;
            }
        }
    }
    (0, "no answer from either instance".into())
}

async fn blog_create(http: &reqwest::Client, base: &str, token: &str, blog: &str, i: usize) -> Value {
    let response = http
        .post(format!("{base}/api/infographs/create/"))
        .header("Authorization", format!("Token {token}"))
        .json(&json!({"prompt": format!("blog job {i}"), "blog_url": format!("http://{blog}/post/{i}")}))
        .send()
        .await
        .expect("blog create");
    assert_eq!(response.status(), 201);
    response.json().await.expect("json")
}

/// Opens A's event stream; the task ends when the stream does, with the time and whether the
/// server ended it (a clean end of the chunked body) rather than cut it (an error).
fn watch_stream(http: &reqwest::Client, base: &str, token: &str) -> tokio::task::JoinHandle<(Instant, bool)> {
    let request = http.get(format!("{base}/api/events/")).header("Authorization", format!("Token {token}"));
    tokio::spawn(async move {
        let mut body = request.send().await.expect("events");
        assert_eq!(body.status(), 200);
        loop {
            match body.chunk().await {
                Ok(Some(_)) => {}
                Ok(None) => return (Instant::now(), true),
                Err(_) => return (Instant::now(), false),
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_loses_nothing_and_gives_work_back() {
    let Ok(admin) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!("TEST_POSTGRES_URL is not set: the shutdown test needs PostgreSQL (make test starts one)");
        return;
    };
    let db = fresh_database(&admin).await;
    // No overall timeout: a stream must stay open as long as the server keeps it.
    let http = reqwest::Client::builder().connect_timeout(Duration::from_secs(5)).build().expect("client");
    let blog = spawn_slow_blog().await;

    let mut emulator_cmd = infograph();
    emulator_cmd.args(["fal-emulator", "--addr", "127.0.0.1:0"]).env("FAL_EMULATOR_DELAY_MS", "1000").env("FAL_EMULATOR_KEY", EMULATOR_KEY);
    let (_emu, emulator) = spawn_listening(emulator_cmd, EMULATOR_LINE);
    let (_instance_b, b) = spawn_instance(&db, None, &emulator, &blog);
    let (mut instance_a, a) = spawn_instance(&db, Some(&b), &emulator, &blog);

    add_user(&db, "stop@example.com", CREDITS);
    let token = api_token(&http, &a, "stop@example.com").await;
    let pool = AnyPool::connect(&db).await.expect("pool");

    let stream = watch_stream(&http, &a, &token);
    let tally = Arc::new(Tally::default());
    let mut load = tokio::task::JoinSet::new();
    let mut blog_jobs = Vec::new();
    let mut stopped_at = None;
    for i in 0..CREATES {
        let (client, bearer, tally) = (http.clone(), token.clone(), tally.clone());
        // Half to each; B is where a load balancer sends what A no longer takes.
        let (first, fallback) = (if i % 2 == 0 { a.clone() } else { b.clone() }, b.clone());
        load.spawn(async move { (i, create(&client, &first, &fallback, &bearer, i, &tally).await) });
        if i == CREATES / 2 {
            // Jobs A's worker is still reading a blog for when the stop comes.
            for j in 0..3 {
                let created = blog_create(&http, &a, &token, &blog, j).await;
                blog_jobs.push(created["infographs"][0]["id"].as_str().expect("id").to_string());
            }
            // The stop must find A's worker reading them: wait until all three are leased.
            let deadline = Instant::now() + Duration::from_secs(30);
            while scalar(&pool, "SELECT COUNT(*) FROM infographs WHERE blog_url IS NOT NULL AND lease_until IS NOT NULL").await < 3 {
                assert!(Instant::now() < deadline, "A's worker never claimed the blog jobs");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            sigterm(&instance_a);
            stopped_at = Some(Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut answered = 0;
    while let Some(joined) = load.join_next().await {
        let (i, (status, body)) = joined.expect("task");
        assert_eq!(status, 201, "create {i}: {body}");
        answered += 1;
    }
    assert_eq!(answered, CREATES);
    let stopped_at = stopped_at.expect("A was stopped");

    // A ended its event stream (one it did not end would be cut when the grace period ran out),
    // and exited cleanly within its grace period.
    let (stream_ended, cleanly) = tokio::time::timeout(Duration::from_secs(10), stream).await.expect("A's event stream ended").expect("stream task");
    eprintln!("A's event stream ended {:?} after SIGTERM", stream_ended.duration_since(stopped_at));
    assert!(cleanly, "A's event stream was cut instead of ended");
    let status = exited(&mut instance_a, Duration::from_secs(15));
    assert!(status.success(), "A exited with {status}");
    eprintln!("creates retried on the other instance after a refused or closed connection: {}", tally.retried.load(Ordering::SeqCst));

    // Every job ends, A's cut-short blog jobs included (given back, then prepared by B).
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let open = scalar(&pool, "SELECT COUNT(*) FROM infographs WHERE status NOT IN ('completed', 'failed')").await;
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{open} jobs never reached a final state (a lease not given back?)");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let total = scalar(&pool, "SELECT COUNT(*) FROM infographs").await;
    assert_eq!(total, (CREATES + blog_jobs.len()) as i64, "one job per create: none lost, none doubled by a retry");
    let failed = scalar(&pool, "SELECT COUNT(*) FROM infographs WHERE status = 'failed'").await;
    let marked = scalar(&pool, "SELECT COUNT(*) FROM infographs WHERE status = 'failed' AND user_prompt LIKE '[emulator:fail]%'").await;
    assert_eq!((failed, marked), (CREATES as i64 / 10, CREATES as i64 / 10), "only the jobs asked to fail failed");
    for id in &blog_jobs {
        let status: String = sqlx::query_scalar("SELECT status FROM infographs WHERE id = $1").bind(id).fetch_one(&pool).await.expect("blog job");
        assert_eq!(status, "completed", "blog job {id}");
    }

    let charged = -scalar(&pool, "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_ledger WHERE reason = 'debit'").await;
    let refunds = scalar(&pool, "SELECT COUNT(*) FROM credit_ledger WHERE reason = 'refund'").await;
    let refunded = scalar(&pool, "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_ledger WHERE reason = 'refund'").await;
    let balance = scalar(&pool, "SELECT credit_balance FROM users WHERE email = 'stop@example.com'").await;
    let ledger = scalar(&pool, "SELECT CAST(SUM(amount) AS BIGINT) FROM credit_ledger").await;
    assert_eq!(charged, total, "charged once per job");
    assert_eq!((refunds, refunded), (failed, failed), "one refund per failed job");
    assert_eq!(balance, ledger, "the balance is the ledger's sum");
}

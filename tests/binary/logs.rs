//! `infograph serve`'s log lines: every line logged while handling a request carries the
//! request's id, as JSON fields with `LOG_FORMAT=json` (for log shippers) and in the text lines
//! otherwise; a `LOG_FORMAT` it does not know makes it refuse to start.

use crate::cli::tempfile_dir;
use crate::running::{Running, SERVE_LINE};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

/// `infograph serve` with the built-in emulator on a fresh SQLite file and port 0. Only warnings
/// and the access lines are logged, so nothing but the request's own lines is expected while it
/// is handled.
fn serve(log_format: Option<&str>) -> Command {
    let dir = tempfile_dir();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_infograph"));
    cmd.arg("serve");
    for name in ["FAL_KEY", "FAL_QUEUE_URL", "FETCH_ALLOW_ADDRS", "STRIPE_SECRET_KEY", "LOG_FORMAT", "METRICS_ADDR"] {
        cmd.env_remove(name);
    }
    cmd.env("FAL_EMULATOR", "true")
        .env("DATABASE_URL", format!("sqlite://{dir}/logs.db"))
        .env("DATA_DIR", &dir)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "warn,access=info");
    if let Some(format) = log_format {
        cmd.env("LOG_FORMAT", format);
    }
    cmd
}

/// A running server, its base URL, and every line it writes to stdout from then on.
fn start(mut cmd: Command) -> (Running, String, mpsc::Receiver<String>) {
    let mut child = cmd.stdout(Stdio::piped()).spawn().expect("start infograph");
    let stdout = child.stdout.take().expect("stdout");
    let running = Running(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + DEADLINE;
    loop {
        let line = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("infograph says where it listens");
        if let Some(base) = line.strip_prefix(SERVE_LINE) {
            return (running, base.trim().to_string(), rx);
        }
    }
}

/// A request refused by the cross-site check, which logs a warning of its own before the access
/// line: two lines of one request.
async fn cross_site_post(base: &str, request_id: Option<&str>) -> String {
    let http = reqwest::Client::new();
    let mut request = http.post(format!("{base}/sfn/anything")).header("origin", "https://evil.example");
    if let Some(id) = request_id {
        request = request.header("x-request-id", id);
    }
    let response = request.send().await.expect("post");
    assert_eq!(response.status(), 403);
    response.headers()["x-request-id"].to_str().expect("ascii").to_string()
}

/// The lines written until (and with) the first one for which `last` holds.
fn lines_until(rx: &mpsc::Receiver<String>, last: impl Fn(&str) -> bool) -> Vec<String> {
    let deadline = Instant::now() + DEADLINE;
    let mut lines = Vec::new();
    loop {
        let line = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).unwrap_or_else(|_| panic!("no such line; got {lines:#?}"));
        let done = last(&line);
        lines.push(line);
        if done {
            return lines;
        }
    }
}

/// The `request_id` of the request span a JSON log line was written in.
fn request_id_of(line: &Value) -> Option<&str> {
    line["spans"].as_array()?.iter().find(|s| s["name"] == "request")?["request_id"].as_str()
}

/// Lets the server log what it logs at start: one request first, and its lines (and everything
/// logged before them, in order on one stream) are read past.
async fn past_startup(base: &str, rx: &mpsc::Receiver<String>) {
    cross_site_post(base, Some("warm-up")).await;
    lines_until(rx, |l| l.contains("warm-up") && l.contains("request answered"));
}

fn is_access_line(line: &Value) -> bool {
    line["target"] == "access" && line["fields"]["message"] == "request answered"
}

#[tokio::test]
async fn json_lines_of_a_request_carry_its_id() {
    let (_server, base, rx) = start(serve(Some("json")));
    past_startup(&base, &rx).await;

    assert_eq!(cross_site_post(&base, Some("abc-123")).await, "abc-123");
    let lines = lines_until(&rx, |l| serde_json::from_str::<Value>(l).is_ok_and(|v| is_access_line(&v)));
    let parsed: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    assert!(parsed.len() >= 2, "the warning and the access line: {lines:#?}");
    for line in &parsed {
        assert_eq!(request_id_of(line), Some("abc-123"), "{line}");
    }
    assert!(parsed.iter().any(|l| l["fields"]["message"] == "refused a cross-site request"), "{lines:#?}");
    let access = parsed.last().expect("the access line");
    assert_eq!(access["fields"]["status"], 403);
    assert_eq!(access["level"], "INFO");

    // Without an id, the lines carry the one made for the request, which its answer returned.
    let made = cross_site_post(&base, None).await;
    let lines = lines_until(&rx, |l| serde_json::from_str::<Value>(l).is_ok_and(|v| is_access_line(&v)));
    for line in &lines {
        let line: Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(request_id_of(&line), Some(made.as_str()), "{line}");
    }
}

#[tokio::test]
async fn text_lines_of_a_request_carry_its_id() {
    let (_server, base, rx) = start(serve(None));
    past_startup(&base, &rx).await;
    cross_site_post(&base, Some("abc-456")).await;
    let lines = lines_until(&rx, |l| l.contains("request answered"));
    assert!(lines.len() >= 2, "{lines:#?}");
    for line in &lines {
        assert!(line.contains("request_id=abc-456"), "{line}");
        assert!(serde_json::from_str::<Value>(line).is_err(), "text, not JSON: {line}");
    }
}

#[test]
fn an_unknown_log_format_is_refused() {
    let mut child = serve(Some("xml")).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run infograph");
    let deadline = Instant::now() + DEADLINE;
    // A server that starts instead of refusing is killed at the deadline, and fails below.
    while child.try_wait().expect("wait").is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    assert!(!out.status.success(), "it started: {out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("xml") && stderr.to_lowercase().contains("log"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SERVE_LINE));
}

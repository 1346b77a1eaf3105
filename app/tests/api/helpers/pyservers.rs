//! Real third-party servers for the storage and email tests, started as subprocesses from the
//! Python venv that `scripts/install-tools.sh --test` fills from `scripts/requirements-test.txt`:
//! moto's S3-compatible server, aiosmtpd's SMTP server and localstripe's Stripe API. Each listens on a free loopback port
//! and is killed when its guard drops. Missing tools fail the test under CI (`CI` set) and are
//! skipped with a loud message otherwise.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `INFOGRAPH_TEST_VENV`, else the workspace's `.tools/venv`.
fn venv() -> PathBuf {
    std::env::var_os("INFOGRAPH_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/venv"))
}

/// The venv's `bin/<name>`, or `None` (after saying so loudly) outside CI.
pub fn tool(name: &str) -> Option<PathBuf> {
    let path = venv().join("bin").join(name);
    if path.is_file() {
        return Some(path);
    }
    let message = format!(
        "{} is missing: run scripts/install-tools.sh --test (it installs scripts/requirements-test.txt into .tools/venv)",
        path.display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("\n!!!!!!!! SKIPPED: {message}\n");
    None
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

async fn wait_listening(port: u16, child: &mut ChildGuard, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if let Ok(Some(status)) = child.0.try_wait() {
            panic!("{what} exited early: {status}");
        }
        assert!(Instant::now() < deadline, "{what} did not listen on {port}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// moto's standalone server: an S3-compatible endpoint (it accepts any credentials).
pub async fn start_moto() -> Option<(ChildGuard, String)> {
    let bin = tool("moto_server")?;
    let port = free_port();
    let child = Command::new(bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let mut guard = ChildGuard(child);
    wait_listening(port, &mut guard, "moto_server").await;
    Some((guard, format!("http://127.0.0.1:{port}")))
}

/// aiosmtpd with its Mailbox handler: every message it accepts lands in `maildir/new/`.
pub async fn start_smtp(maildir: &Path) -> Option<(ChildGuard, u16)> {
    let bin = tool("aiosmtpd")?;
    // Python's Maildir only creates its folders when the maildir itself does not exist yet.
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(maildir.join(sub)).expect("maildir");
    }
    let port = free_port();
    let child = Command::new(bin)
        .args(["-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    let mut guard = ChildGuard(child);
    wait_listening(port, &mut guard, "aiosmtpd").await;
    Some((guard, port))
}

/// The messages in a maildir's `new/` folder, as text.
pub fn maildir_messages(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    entries.flatten().filter_map(|e| std::fs::read_to_string(e.path()).ok()).collect()
}

/// localstripe: a stateful Stripe API server (PaymentIntents, SetupIntents, refunds, events)
/// that posts signed webhooks to the endpoints registered with it, and serves a Stripe.js
/// stand-in. Any `sk_test_…` key is accepted.
pub async fn start_localstripe() -> Option<(ChildGuard, String)> {
    let bin = tool("localstripe")?;
    let port = free_port();
    let child = Command::new(bin)
        .args(["--port", &port.to_string(), "--from-scratch"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start localstripe");
    let mut guard = ChildGuard(child);
    wait_listening(port, &mut guard, "localstripe").await;
    Some((guard, format!("http://127.0.0.1:{port}")))
}

//! Real third-party servers for the storage and email tests, started as subprocesses from the
//! Python venv that `scripts/install-tools.sh --test` fills from `scripts/requirements-test.txt`:
//! moto's S3-compatible server, aiosmtpd's SMTP server and localstripe's Stripe API. Each is the
//! library's own server started by a few lines of Python that bind port 0 and print the port the
//! system gave them, so no port is ever picked here and released for another process to take.
//! Each is killed when its guard drops. Missing tools fail the test under CI (`CI` set) and are
//! skipped with a loud message otherwise.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a server may take to start and say where it listens.
const START_DEADLINE: Duration = Duration::from_secs(30);

/// moto's server, as `moto_server -H 127.0.0.1` runs it, on a port of the system's choosing.
const MOTO: &str = r#"
import threading
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
threading.Event().wait()
"#;

/// aiosmtpd's SMTP server with its Mailbox handler (what `aiosmtpd -n -c
/// aiosmtpd.handlers.Mailbox DIR` serves), listening once the port is printed.
const SMTP: &str = r#"
import asyncio, sys
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP
async def serve(maildir):
    handler = Mailbox(maildir)
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()
asyncio.run(serve(sys.argv[1]))
"#;

/// localstripe's app as `localstripe --from-scratch` starts it (its access and webhook log on
/// stderr), on a socket that is listening before its port is printed.
const LOCALSTRIPE: &str = r#"
import logging, socket
from aiohttp import web
from localstripe.server import app
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.bind(("127.0.0.1", 0))
sock.listen(128)
logger = logging.getLogger("aiohttp.access")
logger.setLevel(logging.DEBUG)
logger.addHandler(logging.StreamHandler())
print(sock.getsockname()[1], flush=True)
web.run_app(app, sock=sock, access_log=logger, print=None)
"#;

/// A running server: killed when dropped. Its stderr is kept, to say why it failed and for
/// tests that wait for a line it logs.
pub struct ChildGuard {
    child: Child,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ChildGuard {
    fn stderr_text(&self) -> String {
        self.stderr.lock().map(|lines| lines.join("\n")).unwrap_or_default()
    }

    /// Waits (bounded) until the server has logged a line containing `needle` on stderr.
    pub async fn wait_for_log(&self, needle: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while !self.stderr.lock().is_ok_and(|lines| lines.iter().any(|l| l.contains(needle))) {
            assert!(Instant::now() < deadline, "never logged {needle:?}; stderr:\n{}", self.stderr_text());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
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

/// Runs `script` with the venv's Python (when `installed`, the package's own command, is there)
/// and waits, bounded, for the port it prints as its first line. The rest of its stdout is read
/// and dropped so that it never blocks on a full pipe; its stderr is kept in the guard.
async fn start_python(installed: &str, script: &str, args: &[&Path]) -> Option<(ChildGuard, u16)> {
    tool(installed)?;
    let mut child = Command::new(venv().join("bin/python"))
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {installed}: {e}"));
    let (stdout, stderr) = (child.stdout.take().expect("stdout"), child.stderr.take().expect("stderr"));
    let guard = ChildGuard { child, stderr: Arc::new(Mutex::new(Vec::new())) };
    keep_lines(stderr, guard.stderr.clone());
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        let _ = tx.send(reader.read_line(&mut first).ok().filter(|&n| n > 0).map(|_| first));
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    let line = match tokio::time::timeout(START_DEADLINE, rx).await {
        Ok(Ok(Some(line))) => line,
        Ok(_) => panic!("{installed} exited before saying its port; stderr:\n{}", guard.stderr_text()),
        Err(_) => panic!("{installed} did not say its port within {START_DEADLINE:?}; stderr:\n{}", guard.stderr_text()),
    };
    let port = line.trim().parse().unwrap_or_else(|_| panic!("{installed} said {line:?}, not a port"));
    Some((guard, port))
}

/// Collects `from`'s lines into `into` until it closes.
fn keep_lines(from: impl Read + Send + 'static, into: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            if let Ok(mut lines) = into.lock() {
                lines.push(line);
            }
        }
    });
}

/// moto's standalone server: an S3-compatible endpoint (it accepts any credentials).
pub async fn start_moto() -> Option<(ChildGuard, String)> {
    let (guard, port) = start_python("moto_server", MOTO, &[]).await?;
    Some((guard, format!("http://127.0.0.1:{port}")))
}

/// aiosmtpd with its Mailbox handler: every message it accepts lands in `maildir/new/`.
pub async fn start_smtp(maildir: &Path) -> Option<(ChildGuard, u16)> {
    // Python's Maildir only creates its folders when the maildir itself does not exist yet.
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(maildir.join(sub)).expect("maildir");
    }
    start_python("aiosmtpd", SMTP, &[maildir]).await
}

/// The messages in a maildir's `new/` folder, as text.
pub fn maildir_messages(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    entries.flatten().filter_map(|e| std::fs::read_to_string(e.path()).ok()).collect()
}

/// localstripe: a stateful Stripe API server (PaymentIntents, SetupIntents, refunds, events)
/// that posts signed webhooks to the endpoints registered with it, and serves a Stripe.js
/// stand-in. Any `sk_test_…` key is accepted. It logs each webhook delivery on stderr
/// (`webhook "TYPE" successfully delivered`), which [`ChildGuard::wait_for_log`] can wait for.
pub async fn start_localstripe() -> Option<(ChildGuard, String)> {
    let (guard, port) = start_python("localstripe", LOCALSTRIPE, &[]).await?;
    Some((guard, format!("http://127.0.0.1:{port}")))
}

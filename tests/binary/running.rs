//! `infograph` processes the tests start: killed when dropped, and told to listen on port 0, after
//! which the address they got is read from the line they print once listening.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a process may take to start listening (a cold debug binary migrating a database).
const START_DEADLINE: Duration = Duration::from_secs(60);

/// What `infograph serve` prints once listening; the base URL follows.
pub const SERVE_LINE: &str = "Infograph is running on ";
/// What `infograph fal-emulator` prints once listening; the base URL follows.
pub const EMULATOR_LINE: &str = "The fal emulator is running on ";

/// Kills the process it holds when dropped, so a failing test leaves nothing running.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `cmd` and waits (bounded) for the stdout line that begins with `prefix`, returning the
/// process and the rest of that line (its base URL). Its other output is read and dropped, so it
/// never blocks on a full pipe.
pub fn spawn_listening(mut cmd: Command, prefix: &'static str) -> (Running, String) {
    let mut child = cmd.stdout(Stdio::piped()).spawn().expect("start infograph");
    let stdout = child.stdout.take().expect("stdout");
    let mut running = Running(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.strip_prefix(prefix) {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(rest.trim().to_string());
                }
            }
        }
    });
    match rx.recv_timeout(START_DEADLINE) {
        Ok(base) => (running, base),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("infograph exited before saying where it listens: {:?}", running.0.try_wait())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("infograph did not say where it listens within {START_DEADLINE:?}"),
    }
}

/// The password the tests' accounts get.
pub const PASSWORD: &str = "password123";

/// `infograph user add EMAIL --credits N` on `db`, as an operator would (confirmed, with credits).
pub fn add_user(db: &str, email: &str, credits: i64) {
    let added = Command::new(env!("CARGO_BIN_EXE_infograph"))
        .args(["user", "add", email, "--password", PASSWORD, "--credits", &credits.to_string()])
        .env("DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("user add");
    assert!(added.status.success(), "{added:?}");
}

/// An API token for `email`, from `base`'s `POST /api/auth/token/`.
pub async fn api_token(http: &reqwest::Client, base: &str, email: &str) -> String {
    let answer: serde_json::Value = http
        .post(format!("{base}/api/auth/token/"))
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    answer["token"].as_str().expect("token").to_string()
}

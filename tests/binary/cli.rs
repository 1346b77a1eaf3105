//! The `infograph` binary's admin commands, run as a person would, against a fresh SQLite file.

use crate::running::{spawn_listening, Running, EMULATOR_LINE};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn infograph(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_infograph"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run infograph")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn user_add_and_credits_grant_work_and_refuse_bad_input() {
    let dir = tempfile_dir();
    let db = format!("sqlite://{dir}/cli.db");

    let out = infograph(&db, &["user", "add", "Admin@Example.com", "--password", "password123", "--credits", "5", "--admin"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out).trim(), "created admin@example.com with 5 credits (admin)");

    let again = infograph(&db, &["user", "add", "admin@example.com", "--password", "password123"]);
    assert!(!again.status.success(), "a second account with the same email must fail");
    let idempotent = infograph(&db, &["user", "add", "admin@example.com", "--password", "password123", "--if-missing"]);
    assert!(idempotent.status.success());

    let short = infograph(&db, &["user", "add", "b@example.com", "--password", "short"]);
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));

    let grant = infograph(&db, &["credits", "grant", "admin@example.com", "3"]);
    assert!(grant.status.success(), "{grant:?}");
    assert_eq!(stdout(&grant).trim(), "admin@example.com now has 8 credits");

    let remove = infograph(&db, &["credits", "grant", "admin@example.com", "-8"]);
    assert!(remove.status.success(), "{remove:?}");
    assert_eq!(stdout(&remove).trim(), "admin@example.com now has 0 credits");

    let overdraw = infograph(&db, &["credits", "grant", "admin@example.com", "-1"]);
    assert!(!overdraw.status.success(), "a balance never goes below zero");
    let nobody = infograph(&db, &["credits", "grant", "nobody@example.com", "1"]);
    assert!(!nobody.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub fn tempfile_dir() -> String {
    let dir = std::env::temp_dir().join(format!("infograph-cli-{}-{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.display().to_string()
}

#[test]
fn extract_prints_the_reader_view_as_json() {
    let dir = tempfile_dir();
    let page = format!("{dir}/page.html");
    let paragraph = "Honeybees tell each other where flowers are with a waggle dance that other foragers follow. ";
    std::fs::write(
        &page,
        format!(
            "<html><head><title>Bees | Blog</title><meta property=\"og:title\" content=\"Why Bees Dance\"></head>\
             <body><nav><a href=\"/\">Home</a></nav><article><h1>Why Bees Dance</h1><p>{}</p><h2>The waggle run</h2><p>{}</p></article></body></html>",
            paragraph.repeat(4),
            paragraph.repeat(3)
        ),
    )
    .expect("write page");
    let out = infograph("sqlite::memory:", &["extract", "--file", &page, "--url", "https://bees.example/post"]);
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["title"], "Why Bees Dance");
    assert!(json["text"].as_str().expect("text").contains("waggle dance"));
    assert!(json["headings"].as_array().expect("headings").iter().any(|h| h == "The waggle run"));
    assert!(json["word_count"].as_u64().expect("count") > 90);
    for key in ["byline", "site_name", "excerpt"] {
        assert!(json.get(key).is_some(), "{key} missing");
    }
    let missing = infograph("sqlite::memory:", &["extract", "--file", &format!("{dir}/nope.html")]);
    assert!(!missing.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn settings_come_from_the_environment_and_empty_ones_count_as_unset() {
    let dir = tempfile_dir();
    let db = format!("sqlite://{dir}/cli.db");
    let run = |credits: &str, email: &str| {
        Command::new(env!("CARGO_BIN_EXE_infograph"))
            .args(["user", "add", email, "--password", "password123"])
            .env("DATABASE_URL", &db)
            .env("RUST_LOG", "warn")
            .env("SIGNUP_CREDITS", credits)
            .output()
            .expect("run infograph")
    };
    let from_env = run("7", "seven@example.com");
    assert_eq!(stdout(&from_env).trim(), "created seven@example.com with 7 credits", "{from_env:?}");
    let empty = run("", "default@example.com");
    assert_eq!(stdout(&empty).trim(), "created default@example.com with 10 credits", "{empty:?}");
    let bad = run("lots", "bad@example.com");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("signup-credits"), "{bad:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_generated_password_is_printed_once_and_stored_only_as_a_hash() {
    let dir = tempfile_dir();
    let db = format!("sqlite://{dir}/cli.db");
    let out = infograph(&db, &["user", "add", "admin@example.com", "--generate-password", "--admin", "--if-missing"]);
    assert!(out.status.success(), "{out:?}");
    let printed = stdout(&out);
    let password = printed
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the password is printed")
        .to_string();
    assert!(password.len() >= 16, "{password}");
    let again = infograph(&db, &["user", "add", "admin@example.com", "--generate-password", "--admin", "--if-missing"]);
    assert!(again.status.success());
    assert!(!stdout(&again).contains("password"), "never printed twice: {}", stdout(&again));
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
        stored.extend(std::fs::read(entry.path()).unwrap_or_default());
    }
    assert!(!stored.windows(password.len()).any(|w| w == password.as_bytes()), "the password is nowhere in the database files");
    assert!(String::from_utf8_lossy(&stored).contains("$argon2id$"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `infograph ARGS`, killing it if it is still running after `guard` (a hang guard: the
/// test then fails on the exit status instead of hanging the suite).
fn infograph_guarded(args: &[&str], guard: Duration) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_infograph"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run infograph");
    while child.try_wait().expect("wait").is_none() && started.elapsed() < guard {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    (child.wait_with_output().expect("output"), started.elapsed())
}

#[test]
fn extract_refuses_a_page_too_complex_to_parse() {
    let dir = tempfile_dir();
    let page = format!("{dir}/complex.html");
    // 3 MB of `<div>`s whose `</x>` end tags the parser ignores: hours of CPU unbounded.
    std::fs::write(&page, format!("<html><body>{}</body></html>", "<div></x>".repeat(3 * 1024 * 1024 / 9))).expect("write page");
    let (out, took) = infograph_guarded(&["extract", "--file", &page], Duration::from_secs(120));
    eprintln!("infograph extract on a 3 MB hostile page: {took:?}");
    assert!(!out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the page is too complex to read"), "{stderr}");
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_standalone_emulator_needs_a_key_and_refuses_any_other() {
    // Without a key it would be an open relay: anyone could have it post signed webhooks anywhere.
    for unset in [None, Some("  ")] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_infograph"));
        cmd.args(["fal-emulator", "--addr", "127.0.0.1:0"]).env("RUST_LOG", "warn").env_remove("FAL_EMULATOR_KEY");
        if let Some(value) = unset {
            cmd.env("FAL_EMULATOR_KEY", value);
        }
        let mut child = Running(cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run"));
        let started = Instant::now();
        // A hang guard: a refusing emulator exits at once; one that serves runs until killed.
        while child.0.try_wait().expect("wait").is_none() && started.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.0.kill();
        let mut stderr = String::new();
        if let Some(mut err) = child.0.stderr.take() {
            use std::io::Read;
            let _ = err.read_to_string(&mut stderr);
        }
        let status = child.0.wait().expect("status");
        assert!(!status.success(), "started without a key ({unset:?})");
        assert!(stderr.contains("--key") && stderr.contains("FAL_EMULATOR_KEY"), "{stderr}");
    }

    let mut emulator = Command::new(env!("CARGO_BIN_EXE_infograph"));
    emulator.args(["fal-emulator", "--addr", "127.0.0.1:0"]).env("FAL_EMULATOR_KEY", "the-emulator-key").env("RUST_LOG", "warn");
    let (_emulator, base) = spawn_listening(emulator, EMULATOR_LINE);
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client");
    let submit = |key: &'static str| {
        http.post(format!("{base}/queue/fal-ai/nano-banana-pro?fal_webhook=http://127.0.0.1:9/hook"))
            .header("Authorization", format!("Key {key}"))
            .json(&serde_json::json!({"prompt": "hello"}))
            .send()
    };
    let refused = submit("some-other-key").await.expect("submit");
    assert_eq!(refused.status(), 401);
    let listing = http.get(format!("{base}/_emulator/submissions")).header("Authorization", "Key some-other-key").send().await.expect("list");
    assert_eq!(listing.status(), 401);
    let accepted = submit("the-emulator-key").await.expect("submit");
    assert_eq!(accepted.status(), 200);
}

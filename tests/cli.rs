//! The `infograph` binary's admin commands, run as a person would, against a fresh SQLite file.

use std::process::{Command, Output};

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

fn tempfile_dir() -> String {
    let dir = std::env::temp_dir().join(format!("infograph-cli-{}-{}", std::process::id(), line!()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.display().to_string()
}

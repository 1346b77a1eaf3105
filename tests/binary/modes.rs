//! `infograph serve` says which world it runs in: fal.ai with `FAL_KEY`, the built-in emulator only
//! when asked for, and it refuses the mixes a lost secret or a copied test setting would make.

use crate::cli::tempfile_dir;
use crate::running::{spawn_listening, SERVE_LINE};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `infograph serve` on a fresh SQLite file and port 0, with none of the mode settings inherited
/// from the environment that runs the tests; `settings` adds some.
fn serve(settings: &[(&str, &str)], args: &[&str]) -> Command {
    let dir = tempfile_dir();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_infograph"));
    cmd.arg("serve").args(args);
    for name in ["FAL_KEY", "FAL_EMULATOR", "FAL_QUEUE_URL", "FETCH_ALLOW_ADDRS", "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_API_BASE"] {
        cmd.env_remove(name);
    }
    cmd.env("DATABASE_URL", format!("sqlite://{dir}/modes.db"))
        .env("DATA_DIR", &dir)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .envs(settings.iter().copied());
    cmd
}

/// Runs a server that must refuse to start: it exits (a hang guard kills one that serves instead).
fn refused(mut cmd: Command) -> (Output, String) {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run infograph");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    assert!(!out.status.success(), "it started: {out:?}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SERVE_LINE), "it listened before refusing");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stderr)
}

#[test]
fn without_a_fal_key_it_refuses_naming_both_ways_out() {
    let (_, stderr) = refused(serve(&[], &[]));
    for named in ["FAL_KEY", "FAL_EMULATOR=true", "--fal-emulator"] {
        assert!(stderr.contains(named), "{named} in {stderr}");
    }
    // Stripe configured does not change that: a deployment that lost FAL_KEY sells nothing.
    let (_, stderr) = refused(serve(&[("STRIPE_SECRET_KEY", "sk_test_abc"), ("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"), ("STRIPE_WEBHOOK_SECRET", "whsec_x")], &[]));
    assert!(stderr.contains("FAL_EMULATOR=true"), "{stderr}");
    let (_, stderr) = refused(serve(&[("FAL_EMULATOR", "false")], &[]));
    assert!(stderr.contains("FAL_KEY is not set"), "{stderr}");
    let (_, stderr) = refused(serve(&[("FAL_EMULATOR", "maybe")], &[]));
    assert!(stderr.contains("FAL_EMULATOR") && stderr.contains("maybe"), "{stderr}");
}

#[tokio::test]
async fn the_emulator_runs_only_when_asked_for_by_setting_or_flag() {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client");
    for (settings, args) in [(&[("FAL_EMULATOR", "true")][..], &[][..]), (&[], &["--fal-emulator"][..])] {
        let (_server, base) = spawn_listening(serve(settings, args), SERVE_LINE);
        let jwks = http.get(format!("{base}/fal-emulator/.well-known/jwks.json")).send().await.expect("jwks");
        assert_eq!(jwks.status(), 200, "{settings:?} {args:?}");
    }
}

#[test]
fn live_stripe_keys_with_the_emulator_refuse_to_start() {
    let (_, stderr) = refused(serve(&[("FAL_EMULATOR", "true"), ("STRIPE_SECRET_KEY", "sk_live_abc"), ("STRIPE_PUBLISHABLE_KEY", "pk_live_abc")], &[]));
    assert!(stderr.contains("live Stripe key") && stderr.contains("FAL_KEY"), "{stderr}");
}

#[test]
fn test_only_settings_are_refused_with_a_real_fal_queue() {
    let (_, stderr) = refused(serve(&[("FAL_KEY", "a-real-key"), ("FETCH_ALLOW_ADDRS", "127.0.0.1:8080")], &[]));
    assert!(stderr.contains("FETCH_ALLOW_ADDRS"), "{stderr}");
    let (_, stderr) = refused(serve(&[("FAL_KEY", "a-real-key"), ("FAL_QUEUE_URL", "https://queue.fal.run"), ("FETCH_ALLOW_ADDRS", "127.0.0.1:8080")], &[]));
    assert!(stderr.contains("FETCH_ALLOW_ADDRS"), "{stderr}");
}

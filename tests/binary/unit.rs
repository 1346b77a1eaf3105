//! The systemd unit in `deploy/infograph.service`: it keeps every hardening setting it ships
//! with, systemd reads it without a complaint, and the server runs under the one setting that
//! could break it, MemoryDenyWriteExecute (no memory both writable and executable).

use crate::cli::tempfile_dir;
use crate::running::{add_user, api_token, spawn_listening, SERVE_LINE};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn shipped_unit() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/infograph.service")).expect("read deploy/infograph.service")
}

/// Every `key=value` of the unit's `[Service]` section, in order (a key may repeat).
fn service_settings(unit: &str) -> Vec<(String, String)> {
    let mut in_service = false;
    let mut settings = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.starts_with('[') {
            in_service = line == "[Service]";
        } else if in_service && !line.starts_with('#') {
            if let Some((key, value)) = line.split_once('=') {
                settings.push((key.trim().to_string(), value.trim().to_string()));
            }
        }
    }
    settings
}

/// `name` as a program on this machine, or `None` (after saying so loudly) outside CI.
fn program(name: &str, package: &str) -> Option<PathBuf> {
    let found = ["/usr/bin", "/bin", "/usr/sbin"].iter().map(|d| Path::new(d).join(name)).find(|p| p.is_file());
    if found.is_none() {
        let message = format!("{name} is missing: run scripts/install-tools.sh --test (it installs Debian's {package})");
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("\n!!!!!!!! SKIPPED: {message}\n");
    }
    found
}

#[test]
fn the_unit_keeps_every_hardening_setting() {
    let settings = service_settings(&shipped_unit());
    let has = |key: &str, value: &str| settings.iter().any(|(k, v)| k == key && v == value);
    let required = [
        ("NoNewPrivileges", "yes"),
        ("CapabilityBoundingSet", ""),
        ("AmbientCapabilities", ""),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("PrivateUsers", "yes"),
        ("ProtectHostname", "yes"),
        ("ProtectClock", "yes"),
        ("ProtectKernelTunables", "yes"),
        ("ProtectKernelModules", "yes"),
        ("ProtectKernelLogs", "yes"),
        ("ProtectControlGroups", "yes"),
        ("ProtectProc", "invisible"),
        ("ProcSubset", "pid"),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("RestrictNamespaces", "yes"),
        ("RestrictRealtime", "yes"),
        ("RestrictSUIDSGID", "yes"),
        ("LockPersonality", "yes"),
        ("MemoryDenyWriteExecute", "yes"),
        ("RemoveIPC", "yes"),
        ("SystemCallArchitectures", "native"),
        ("SystemCallFilter", "@system-service"),
        ("SystemCallFilter", "~@privileged @resources"),
        ("DevicePolicy", "closed"),
        ("User", "infograph"),
        ("StateDirectory", "infograph"),
        ("ReadWritePaths", "/var/lib/infograph"),
        ("EnvironmentFile", "/etc/infograph/env"),
        ("Restart", "on-failure"),
        ("KillSignal", "SIGTERM"),
        // Longer than the server's graceful shutdown (about 25 s), so systemd never cuts it short.
        ("TimeoutStopSec", "40"),
    ];
    let missing: Vec<_> = required.iter().filter(|(k, v)| !has(k, v)).collect();
    assert!(missing.is_empty(), "deploy/infograph.service lost: {missing:?}");
    // The app listens on loopback only: nginx is the one way in (TRUSTED_PROXY_HEADER is trusted).
    assert!(has("Environment", "LEPTOS_SITE_ADDR=127.0.0.1:3000") && has("Environment", "TRUSTED_PROXY_HEADER=X-Forwarded-For"));
}

#[test]
fn systemd_reads_the_unit_without_a_complaint() {
    let Some(analyze) = program("systemd-analyze", "systemd") else { return };
    let dir = tempfile_dir();
    // The one change: ExecStart names the binary under test (systemd checks that it exists).
    let unit = shipped_unit().replace("ExecStart=/opt/infograph/infograph ", &format!("ExecStart={} ", env!("CARGO_BIN_EXE_infograph")));
    assert!(unit.contains(env!("CARGO_BIN_EXE_infograph")), "ExecStart=/opt/infograph/infograph is no longer in the unit");
    let path = Path::new(&dir).join("infograph.service");
    std::fs::write(&path, unit).expect("write the unit");
    // `verify` only warns about an unknown or misplaced key: any output at all is a failure.
    let verified = Command::new(&analyze).arg("verify").arg(&path).output().expect("run systemd-analyze verify");
    let said = format!("{}{}", String::from_utf8_lossy(&verified.stdout), String::from_utf8_lossy(&verified.stderr));
    assert!(verified.status.success() && said.trim().is_empty(), "systemd-analyze verify: {said}");
    // systemd's own exposure score (0 best, 10 worst): "OK" below 2, whatever it weighs.
    let security = Command::new(&analyze).args(["security", "--offline=true", "--threshold=15"]).arg(&path).output().expect("run systemd-analyze security");
    let report = String::from_utf8_lossy(&security.stdout);
    assert!(security.status.success(), "exposure above 1.5:\n{report}");
}

/// Sets the kernel's MDWE ("memory deny write execute", PR_SET_MDWE, Linux 6.3+: what
/// MemoryDenyWriteExecute= asks for, kept across exec), shows it holds by failing to map
/// writable executable memory, then becomes the program in its arguments. Exits 97 when the
/// kernel lacks it.
const UNDER_MDWE: &str = r#"
import ctypes, mmap, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:
    sys.stderr.write("PR_SET_MDWE is not supported (errno %d)\n" % ctypes.get_errno())
    sys.exit(97)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    sys.exit("MDWE did not refuse a writable executable mapping")
except PermissionError:
    pass
os.execv(sys.argv[1], sys.argv[1:])
"#;

/// Whether this kernel has MDWE (`None`, after saying so loudly, outside CI when it has not).
fn kernel_has_mdwe() -> Option<()> {
    let probe = Command::new("python3").args(["-c", UNDER_MDWE, "/bin/true"]).output().expect("run python3");
    if probe.status.code() == Some(97) {
        let message = format!("this kernel cannot refuse writable executable memory: {}", String::from_utf8_lossy(&probe.stderr));
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("\n!!!!!!!! SKIPPED: {message}\n");
        return None;
    }
    assert!(probe.status.success(), "{probe:?}");
    Some(())
}

#[tokio::test]
async fn the_server_works_with_memory_deny_write_execute() {
    let Some(()) = kernel_has_mdwe() else { return };
    let dir = tempfile_dir();
    let db = format!("sqlite://{dir}/mdwe.db");
    let bin = env!("CARGO_BIN_EXE_infograph");
    add_user(&db, "mdwe@example.com", 5);
    let mut serve = Command::new("python3");
    serve.args(["-c", UNDER_MDWE, bin, "serve"]);
    for name in ["FAL_KEY", "FAL_QUEUE_URL", "FETCH_ALLOW_ADDRS", "STRIPE_SECRET_KEY"] {
        serve.env_remove(name);
    }
    serve
        .env("DATABASE_URL", &db)
        .env("DATA_DIR", &dir)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("FAL_EMULATOR", "true")
        .env("FAL_EMULATOR_DELAY_MS", "200")
        .env("RUST_LOG", "warn");
    let (_server, base) = spawn_listening(serve, SERVE_LINE);
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    let auth = format!("Token {}", api_token(&http, &base, "mdwe@example.com").await);

    // A whole create: the job submitted, the emulator's picture drawn, signed and fetched, our
    // copy stored and served.
    let created: Value = http
        .post(format!("{base}/api/infographs/create/"))
        .header("Authorization", &auth)
        .json(&json!({"prompt": "Bees of the Alentejo"}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = created["infographs"][0]["id"].as_str().unwrap_or_else(|| panic!("{created}")).to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    let image_url = loop {
        let status: Value = http.get(format!("{base}/api/infographs/status/{id}/")).header("Authorization", &auth).send().await.expect("status").json().await.expect("json");
        assert_ne!(status["status"], "failed", "{status}");
        if let Some(url) = status["image_url"].as_str().filter(|u| u.contains("/media/")) {
            break url.to_string();
        }
        assert!(Instant::now() < deadline, "not stored within a minute: {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let image = http.get(&image_url).header("Authorization", &auth).send().await.expect("image");
    assert_eq!(image.status(), 200, "{image_url}");
    let kind = image.headers()["content-type"].to_str().expect("ascii").to_string();
    assert!(kind.starts_with("image/") && !image.bytes().await.expect("bytes").is_empty(), "{kind}");
}

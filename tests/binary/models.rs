//! `MODELS_FILE`: an operator's catalogue replaces the built-in one, and one that cannot be
//! served stops the start with a sentence naming the file, the model and the field.

use crate::cli::tempfile_dir;
use crate::running::{spawn_listening, SERVE_LINE};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn serve(models_file: &str) -> Command {
    let dir = tempfile_dir();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_infograph"));
    cmd.arg("serve")
        .env_remove("FAL_KEY")
        .env("FAL_EMULATOR", "true")
        .env("MODELS_FILE", models_file)
        .env("DATABASE_URL", format!("sqlite://{dir}/models.db"))
        .env("DATA_DIR", &dir)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "warn");
    cmd
}

const ONE_MODEL: &str = r#"{"default": "cheap", "draft": "cheap", "final": "cheap", "models": [
  {"id": "cheap", "name": "Cheap", "endpoint": "fal-ai/nano-banana-2", "edit_endpoint": "fal-ai/nano-banana-2/edit",
   "edit_image_field": "image_urls", "credits": {"1K": 3}, "aspect_ratios": ["1:1", "16:9"], "max_images": 2,
   "size": "aspect_ratio", "num_images": true, "colors": "brief", "logo": "edit", "brief_max_chars": 4000}]}"#;

#[tokio::test]
async fn an_operators_catalogue_replaces_the_built_in_one() {
    let dir = tempfile_dir();
    let file = format!("{dir}/models.json");
    std::fs::write(&file, ONE_MODEL).expect("write");
    let (_server, base) = spawn_listening(serve(&file), SERVE_LINE);
    let models: serde_json::Value = reqwest::get(format!("{base}/api/models/")).await.expect("models").json().await.expect("json");
    assert_eq!(models["default"], "cheap");
    assert_eq!(models["models"].as_array().map(Vec::len), Some(1));
    assert_eq!(models["models"][0]["credits"], serde_json::json!({"1K": 3}));
}

#[test]
fn a_catalogue_that_cannot_be_served_stops_the_start() {
    let dir = tempfile_dir();
    let file = format!("{dir}/models.json");
    std::fs::write(&file, ONE_MODEL.replace(r#""1K": 3"#, r#""8K": 3"#)).expect("write");
    for (path, says) in [(file.as_str(), "model \"cheap\": \"credits\" has \"8K\""), ("/nonexistent/models.json", "cannot be read")] {
        let mut child = serve(path).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run");
        let started = Instant::now();
        while child.try_wait().expect("wait").is_none() && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let out = child.wait_with_output().expect("output");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "started with {path}");
        assert!(stderr.contains(path) && stderr.contains(says), "{stderr}");
    }
}

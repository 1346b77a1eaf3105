//! What an operator and a load balancer see: readiness that names what is wrong, and a stop that
//! gives claimed work back. (SIGTERM under load with two instances: tests/binary/shutdown.rs.)

use crate::helpers::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn ready(app: &TestApp) -> (u16, Value) {
    let r = app.http.get(app.url("/api/ready/")).send().await.expect("ready");
    let status = r.status().as_u16();
    assert_eq!(r.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    (status, r.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readiness_names_what_is_not_ready() {
    let app = TestApp::spawn().await;
    let (status, body) = ready(&app).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");
    for check in ["database", "migrations", "storage", "shutdown"] {
        assert_eq!(body["checks"][check], "ok", "{body}");
    }
    assert_eq!(body["not_ready"], json!([]));

    // The image store cannot take a write: its folder is now a file.
    let images = app.running.state.config.data_dir().join("images");
    std::fs::remove_dir_all(&images).expect("remove images");
    std::fs::write(&images, b"not a folder").expect("write");
    let (status, body) = ready(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!((body["status"].as_str(), body["not_ready"].clone()), (Some("not_ready"), json!(["storage"])));
    let message = body["message"].as_str().expect("message");
    assert!(message.starts_with("Not ready: storage (cannot write to the image store"), "{message}");
    assert_eq!(body["checks"]["database"], "ok");
    std::fs::remove_file(&images).expect("remove file");
    std::fs::create_dir_all(&images).expect("images");
    assert_eq!(ready(&app).await.0, 200);

    // A schema behind this build (as if a migration had not run).
    let w = app.running.state.db.write().await;
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
        .execute(w.pool())
        .await
        .expect("forget a migration");
    drop(w);
    let (status, body) = ready(&app).await;
    assert_eq!((status, body["not_ready"].clone()), (503, json!(["migrations"])), "{body}");
    assert!(body["checks"]["migrations"].as_str().expect("why").contains("this build needs"), "{body}");
    // Liveness is another question: the process is alive.
    let health = app.http.get(app.url("/api/health/")).send().await.expect("health");
    assert_eq!(health.status(), 200);
}

/// A blog that accepts connections and never answers: a job reading it holds its lease.
async fn spawn_silent_blog() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stop_gives_back_the_lease_of_a_job_it_was_preparing() {
    let blog = spawn_silent_blog().await;
    let app = TestApp::spawn_with(|c| {
        c.fetch_allow = vec![blog];
        c.fetch_timeout = Duration::from_secs(120);
        c.job_lease = Some(Duration::from_secs(600));
        c.shutdown_grace = Duration::from_millis(500);
    })
    .await;
    let token = app.register("stop@example.com").await;
    let (status, body) = app.create(&token, json!({"prompt": "x", "blog_url": format!("http://{blog}/post")})).await;
    assert_eq!(status, 201, "{body}");
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.count("SELECT COUNT(*) FROM infographs WHERE id = $1 AND lease_until IS NOT NULL", &id).await == 0 {
        assert!(Instant::now() < deadline, "the worker never claimed the job");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let state = app.running.state.clone();
    let TestApp { running, .. } = app;
    tokio::time::timeout(Duration::from_secs(30), running.stop()).await.expect("the stop is bounded by its grace period");
    // Read through a fresh pool: the stopped instance closed its own.
    let pool = sqlx::AnyPool::connect(&state.config.database_url).await.expect("reopen");
    let (status, lease): (String, Option<i64>) =
        sqlx::query_as("SELECT status, lease_until FROM infographs WHERE id = $1").bind(&id).fetch_one(&pool).await.expect("job");
    assert_eq!((status.as_str(), lease), ("queued", None), "given back, still queued: the next instance prepares it at once");
    let checks = app::server::platform::readiness::check(&state).await;
    let shutdown = checks.iter().find(|c| c.name == "shutdown").expect("shutdown check");
    assert!(shutdown.problem.is_some(), "a stopping instance is not ready");
}

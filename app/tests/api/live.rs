//! Live updates over Server-Sent Events, through the real server, database and emulator: the
//! owner's stream gets each change with a growing version, nobody else's does, the REST status
//! carries phase / progress / ETA, the progress poller records fal's phases, and on PostgreSQL a
//! change made on one instance reaches a stream held by another (LISTEN/NOTIFY).


use reqwest::Method;
use crate::helpers::{TestApp, WAIT};
use futures::StreamExt;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A reader of one `text/event-stream` response.
struct SseStream {
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
}

#[derive(Debug, Clone)]
struct SseEvent {
    name: String,
    data: String,
}

impl SseStream {
    async fn open(app: &TestApp, token: &str) -> Self {
        Self::open_with(app, "Authorization", &format!("Token {token}")).await
    }

    /// Opens the stream with one credential header (`Authorization` or `Cookie`).
    async fn open_with(app: &TestApp, header: &str, value: &str) -> Self {
        let response = app
            .http
            .get(app.url("/api/events/"))
            .header(header, value)
            .timeout(Duration::from_secs(600))
            .send()
            .await
            .expect("open the event stream");
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"].to_str().expect("ascii").to_string();
        assert!(content_type.starts_with("text/event-stream"), "{content_type}");
        let mut stream = Self { body: Box::pin(response.bytes_stream()), buffer: String::new() };
        let ready = stream.next_event(Duration::from_secs(10)).await.expect("a ready event");
        assert_eq!(ready.name, "ready");
        stream
    }

    /// Reads until the body ends: `Ok` when the server ended it cleanly, `Err` when it was cut.
    async fn end(&mut self) -> Result<(), String> {
        loop {
            match self.body.next().await {
                None => return Ok(()),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.to_string()),
            }
        }
    }

    /// The next event (comments and keep-alives skipped), or `None` after `within`.
    async fn next_event(&mut self, within: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent { name: "message".into(), data: String::new() };
                let mut has_data = false;
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event:") {
                        event.name = name.trim().to_string();
                    } else if let Some(data) = line.strip_prefix("data:") {
                        event.data.push_str(data.strip_prefix(' ').unwrap_or(data));
                        has_data = true;
                    }
                }
                if has_data {
                    return Some(event);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next()).await.ok()??.ok()?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// `job` events until `id` is final; fails the test when that takes longer than `within`.
    async fn job_events_until_final(&mut self, id: &str, within: Duration) -> Vec<Value> {
        self.job_events_until(id, within, false).await
    }

    /// `job` events until `id` is final and, if completed, copied to our storage (phase `done`).
    async fn job_events_until_done(&mut self, id: &str, within: Duration) -> Vec<Value> {
        self.job_events_until(id, within, true).await
    }

    async fn job_events_until(&mut self, id: &str, within: Duration, stored: bool) -> Vec<Value> {
        let deadline = Instant::now() + within;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = self.next_event(left).await.unwrap_or_else(|| panic!("job {id} not final on the stream: {seen:?}"));
            if event.name != "job" {
                continue;
            }
            let view: Value = serde_json::from_str(&event.data).expect("job event is JSON");
            let done = view["id"] == id
                && (view["status"] == "failed"
                    || (view["status"] == "completed" && (!stored || view["phase"] == "done")));
            seen.push(view);
            if done {
                return seen;
            }
        }
    }
}

fn version_of(view: &Value) -> (i64, i64) {
    (view["version"].as_i64().expect("version"), view["progress_version"].as_i64().expect("progress_version"))
}

async fn create_one(app: &TestApp, token: &str, prompt: &str) -> String {
    let (status, body) = app.create(token, json!({ "prompt": prompt })).await;
    assert_eq!(status, 201, "{body}");
    body["infographs"][0]["id"].as_str().expect("id").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_owner_sees_every_change_in_order_and_nobody_else_does() {
    let app = TestApp::spawn().await;
    let ann = app.register("ann@example.com").await;
    let bob = app.register("bob@example.com").await;
    let mut ann_stream = SseStream::open(&app, &ann).await;
    let mut bob_stream = SseStream::open(&app, &bob).await;

    let ann_job = create_one(&app, &ann, "Rain in Lisbon").await;
    let events = ann_stream.job_events_until_done(&ann_job, WAIT).await;
    assert!(events.iter().all(|e| e["id"] == ann_job.as_str()), "{events:?}");
    let last = events.last().expect("events");
    assert_eq!(last["status"], "completed");
    assert_eq!(last["phase"], "done");
    assert_eq!(last["progress"], 100);
    assert!(last["image_url"].as_str().is_some_and(|u| u.contains("/media/")), "our stored copy: {last}");
    assert!(events.iter().any(|e| e["status"] == "completed" && e["phase"] == "storing"), "{events:?}");
    assert!(events.len() >= 2, "the submission and the completion are both pushed: {events:?}");
    for pair in events.windows(2) {
        assert!(version_of(&pair[0]) < version_of(&pair[1]), "versions must grow: {events:?}");
    }
    for running in &events[..events.len() - 1] {
        assert!(running["progress"].as_i64().expect("progress") < 100, "100 % before the image: {running}");
    }

    // Bob's stream carried nothing of Ann's: his first job event is about his own job.
    let bob_job = create_one(&app, &bob, "Wind in Porto").await;
    let bob_events = bob_stream.job_events_until_final(&bob_job, WAIT).await;
    assert!(bob_events.iter().all(|e| e["id"] == bob_job.as_str()), "Bob saw another user's job: {bob_events:?}");

    // The REST status carries the same version and the new fields, and the old keys are unchanged.
    let status = app.status(&ann, &ann_job).await;
    assert_eq!(version_of(&status), version_of(last));
    assert_eq!(status["phase"], "done");
    assert_eq!(status["progress"], 100);
    assert_eq!(status["status"], "completed");
    assert!(status["updated_at"].as_str().is_some_and(|t| t.contains('T')), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_stream_requires_a_session_or_a_token() {
    let app = TestApp::spawn().await;
    let anonymous = app.http.get(app.url("/api/events/")).send().await.expect("get");
    assert_eq!(anonymous.status(), 401);
    let forged = app
        .http
        .get(app.url("/api/events/"))
        .header("Authorization", "Token not-a-token")
        .header("Cookie", "infograph_session=not-a-session")
        .send()
        .await
        .expect("get");
    assert_eq!(forged.status(), 401);
    let cookie_only = app
        .http
        .get(app.url("/api/events/"))
        .header("Cookie", "infograph_session=not-a-session")
        .send()
        .await
        .expect("get");
    assert_eq!(cookie_only.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_running_job_shows_its_phase_and_an_estimate_below_100() {
    // A slow emulator and a fast progress poller: fal's IN_QUEUE / IN_PROGRESS get recorded.
    let app = TestApp::spawn_with(|c| {
        c.emulator_delay = Duration::from_millis(2400);
        c.progress_poll = Duration::from_millis(100);
    })
    .await;
    let token = app.register("cy@example.com").await;
    let mut stream = SseStream::open(&app, &token).await;
    let id = create_one(&app, &token, "Tides of the Tagus").await;
    let running = app.status(&token, &id).await;
    assert!(running["progress"].as_i64().expect("progress") < 100, "{running}");
    assert!(running["eta_seconds"].as_i64().is_some(), "{running}");
    assert!(running["version"].as_i64().is_some(), "{running}");

    let events = stream.job_events_until_done(&id, WAIT).await;
    let phases: Vec<&str> = events.iter().filter_map(|e| e["phase"].as_str()).collect();
    assert!(phases.contains(&"generating"), "the poller recorded IN_PROGRESS: {phases:?}");
    assert_eq!(phases.last(), Some(&"done"), "{phases:?}");
    for e in &events {
        if e["phase"] == "in_queue" {
            assert!(e["queue_position"].as_i64().is_some(), "a queue position while queued: {e}");
        }
        if e["phase"] != "done" {
            assert!(e["progress"].as_i64().expect("progress") < 100, "{e}");
        }
    }
    for pair in events.windows(2) {
        assert!(version_of(&pair[0]) < version_of(&pair[1]), "{events:?}");
    }
    // Phase changes never bump `version`: only the submission, the completion and the switch to
    // our stored copy's URLs do.
    let version = app.count("SELECT version FROM infographs WHERE id = $1", &id).await;
    assert_eq!(version, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_eta_is_the_median_of_recent_durations_for_the_resolution() {
    let app = TestApp::spawn().await;
    let token = app.register("di@example.com").await;
    let db = &app.running.state.db;
    let now = app::server::platform::db::now_ms();
    let none = app::server::jobs::progress::recent_median(db, "2K", now).await.expect("median");
    assert_eq!(none, None, "no history yet");
    let mut ids = Vec::new();
    for _ in 0..3 {
        let id = create_one(&app, &token, "A chart").await;
        app.wait_final(&token, &id, WAIT).await;
        ids.push(id);
    }
    // Give the three jobs known durations: 10 s, 30 s and 20 s (median 20 s); other resolutions
    // and completions older than a day do not count.
    for (id, secs) in ids.iter().zip([10_i64, 30, 20]) {
        sqlx::query("UPDATE infographs SET resolution = '2K', submitted_at = completed_at - $1 WHERE id = $2")
            .bind(secs * 1000)
            .bind(id)
            .execute(db.write().await.pool())
            .await
            .expect("update");
    }
    let median = app::server::jobs::progress::recent_median(db, "2K", app::server::platform::db::now_ms()).await.expect("median");
    assert_eq!(median, Some(20_000));
    let later = app::server::platform::db::now_ms() + 25 * 3600 * 1000;
    assert_eq!(app::server::jobs::progress::recent_median(db, "2K", later).await.expect("median"), None, "older than 24 h");
    assert_eq!(app::server::jobs::progress::recent_median(db, "4K", app::server::platform::db::now_ms()).await.expect("median"), None);
}

/// Two instances on one PostgreSQL database: a webhook applied by instance A reaches the
/// stream a browser holds on instance B, through LISTEN/NOTIFY.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_fans_out_across_instances() {
    if std::env::var("TEST_POSTGRES_URL").is_err() {
        eprintln!("skipped: TEST_POSTGRES_URL is not set");
        return;
    }
    // Emulated jobs take long enough that only the test's own webhook ends this one, and the
    // reconciler stays away.
    let slow = |c: &mut app::server::platform::config::Config| {
        c.emulator_delay = Duration::from_secs(600);
        c.reconcile_after = Duration::from_secs(600);
    };
    let a = TestApp::spawn_with(slow).await;
    let shared = a.running.state.config.database_url.clone();
    let b = TestApp::spawn_with(move |c| {
        slow(c);
        c.database_url = shared;
    })
    .await;
    let token = a.register("eve@example.com").await;
    let other = b.register("fay@example.com").await;
    let mut on_b = SseStream::open(&b, &token).await;
    let mut other_on_b = SseStream::open(&b, &other).await;

    let id = create_one(&a, &token, "[emulator:nowebhook] Fan-out").await;
    let rid = a.fal_request_id(&id).await;
    let webhook = json!({"request_id": rid, "status": "OK", "payload": {"images": [{"url": "https://fal.media/files/x.png", "width": 1024, "height": 1024}]}});
    let (status, body) = a.post_webhook(&id, &rid, &webhook, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["changed"], true, "{body}");

    let events = on_b.job_events_until_final(&id, WAIT).await;
    let last = events.last().expect("events");
    assert_eq!(last["status"], "completed");
    assert_eq!(last["image_url"], "https://fal.media/files/x.png");
    // The other user on B got nothing of it: the next thing on their stream is their own job.
    let theirs = create_one(&b, &other, "[emulator:nowebhook] Mine").await;
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = other_on_b.next_event(left).await.expect("the other user's own job event");
        if event.name == "job" {
            let view: Value = serde_json::from_str(&event.data).expect("json");
            assert_eq!(view["id"], theirs.as_str(), "another user's job leaked: {view}");
            break;
        }
    }
}

/// Event streams never end by themselves; a graceful shutdown must end them (or it would wait
/// forever). A clean end of the chunked body proves the server closed it, not an abort.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn open_streams_end_cleanly_on_shutdown() {
    let app = TestApp::spawn().await;
    let token = app.register("gil@example.com").await;
    let mut stream = SseStream::open(&app, &token).await;
    let TestApp { running, .. } = app;
    running.stop().await;
    let end = tokio::time::timeout(Duration::from_secs(30), stream.end()).await.expect("the stream ended");
    assert_eq!(end, Ok(()), "the stream was cut instead of ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn streams_per_user_are_bounded() {
    let app = TestApp::spawn_with(|c| c.event_streams_per_user = 2).await;
    let token = app.register("hal@example.com").await;
    let other = app.register("ida@example.com").await;
    let _one = SseStream::open(&app, &token).await;
    let _two = SseStream::open(&app, &token).await;
    let third = app.send(Method::GET, &token, "/api/events/").await;
    assert_eq!(third.status(), 429);
    let body: Value = third.json().await.expect("json");
    assert_eq!(body["error"], "rate_limited");
    // Another user's streams are counted apart.
    let _theirs = SseStream::open(&app, &other).await;
    // A browser that goes away gives its slot back.
    drop(_one);
    let deadline = Instant::now() + WAIT;
    loop {
        let again = app.send(Method::GET, &token, "/api/events/").await;
        if again.status() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the slot of a closed stream was never released");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn post_form(app: &TestApp, path: &str, cookie: Option<&str>, form: &str) -> reqwest::Response {
    let mut request = app
        .http
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_string());
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.expect("server function")
}

/// A stream is authorized when it opens and re-checked while it is open: signing out ends it,
/// a valid session keeps it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stream_ends_when_its_session_is_signed_out() {
    let app = TestApp::spawn_with(|c| c.event_stream_recheck = Duration::from_millis(200)).await;
    let token = app.register("jo@example.com").await;
    let signed_in = post_form(&app, "/sfn/sign_in", None, "email=jo%40example.com&password=password123").await;
    assert!(signed_in.status().is_success(), "{}", signed_in.status());
    let cookie = signed_in.headers()["set-cookie"].to_str().expect("ascii").split(';').next().expect("pair").to_string();
    let mut stream = SseStream::open_with(&app, "Cookie", &cookie).await;

    // Several re-checks later a valid session still gets its events.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let id = create_one(&app, &token, "Still listening").await;
    let event = stream.next_event(WAIT).await.expect("an event while signed in");
    assert_eq!(event.name, "job");
    assert!(event.data.contains(&id), "{}", event.data);

    let signed_out = post_form(&app, "/sfn/sign_out", Some(&cookie), "").await;
    assert!(signed_out.status().is_success(), "{}", signed_out.status());
    let end = tokio::time::timeout(Duration::from_secs(10), stream.end()).await.expect("the stream ended after sign-out");
    assert_eq!(end, Ok(()), "the server ended the stream");
}

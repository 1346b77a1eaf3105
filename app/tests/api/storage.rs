//! Our own copy of generated images: copied after completion, checked, thumbnailed, served to the
//! owner only; failures leave the job completed with fal's URL and are retried, bounded; the
//! local backend always, and a real S3-compatible server (moto) started here.


use axum::routing::get;
use axum::Router;
use crate::helpers::{wait_stored};
use crate::helpers::{TestApp, PASSWORD, WAIT};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn get_with(app: &TestApp, url: &str, header: Option<(&str, String)>) -> reqwest::Response {
    let mut req = app.http.get(url);
    if let Some((k, v)) = header {
        req = req.header(k, v);
    }
    req.send().await.expect("get")
}

async fn create_one(app: &TestApp, token: &str, body: Value) -> String {
    let (status, created) = app.create(token, body).await;
    assert_eq!(status, 201, "{created}");
    created["infographs"][0]["id"].as_str().expect("id").to_string()
}

/// Signs in through the browser's server function and returns the session cookie.
async fn session_cookie(app: &TestApp, email: &str) -> String {
    let r = app
        .http
        .post(app.url("/sfn/sign_in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("email", email)
                .append_pair("password", PASSWORD)
                .finish(),
        )
        .send()
        .await
        .expect("sign in");
    assert!(r.status().is_success(), "sign in: {}", r.status());
    let cookie = r.headers()["set-cookie"].to_str().expect("cookie").to_string();
    cookie.split(';').next().expect("pair").to_string()
}

/// Runs one job end to end and checks everything about its stored copy.
async fn check_stored_job(app: &TestApp) -> (String, Value) {
    let token = app.register("ann@example.com").await;
    let id = create_one(app, &token, json!({"prompt": "Tides of the Atlantic", "aspect_ratio": "16:9"})).await;
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!(done["status"], "completed", "{done}");
    let stored = wait_stored(app, &token, &id).await;
    assert_eq!(stored["status"], "completed");
    let source = stored["source_image_url"].as_str().expect("source kept");
    assert!(source.contains("/fal-emulator/files/") && source.contains(".png"), "{source}");
    assert_eq!((stored["width"].as_i64(), stored["height"].as_i64()), (Some(1024), Some(576)), "{stored}");
    let image_url = stored["image_url"].as_str().expect("image url").to_string();
    let thumb_url = stored["thumbnail_url"].as_str().expect("thumbnail url").to_string();
    assert!(image_url.starts_with(&app.base), "absolute for API clients: {image_url}");
    assert!(thumb_url.ends_with("-thumb.jpg"), "{thumb_url}");

    let auth = || Some(("Authorization", format!("Token {token}")));
    let image = get_with(app, &image_url, auth()).await;
    assert_eq!(image.status(), 200);
    let headers = image.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    let cache = headers["cache-control"].to_str().expect("cache-control");
    assert!(cache.contains("private") && cache.contains("immutable") && cache.contains("max-age=31536000"), "{cache}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let png = image::load_from_memory(&image.bytes().await.expect("bytes")).expect("a PNG");
    assert_eq!((png.width(), png.height()), (1024, 576));

    let thumb = get_with(app, &thumb_url, auth()).await;
    assert_eq!(thumb.status(), 200);
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let small = image::load_from_memory(&thumb.bytes().await.expect("bytes")).expect("a JPEG");
    assert_eq!((small.width(), small.height()), (400, 225));

    // The browser's way in: the session cookie.
    let cookie = session_cookie(app, "ann@example.com").await;
    assert_eq!(get_with(app, &thumb_url, Some(("Cookie", cookie))).await.status(), 200);

    // Nobody else: another user gets 404, as for a missing image; no credentials, 401.
    let bob = app.register("bob@example.com").await;
    for url in [&image_url, &thumb_url] {
        assert_eq!(get_with(app, url, Some(("Authorization", format!("Token {bob}")))).await.status(), 404);
        assert_eq!(get_with(app, url, None).await.status(), 401);
    }
    let bogus = image_url.replace(&id, "00000000-0000-4000-8000-000000000000");
    assert_eq!(get_with(app, &bogus, auth()).await.status(), 404);
    let traversal = format!("{}/media/{id}/..%2F..%2Fetc%2Fpasswd", app.base);
    assert_eq!(get_with(app, &traversal, auth()).await.status(), 404);

    // Storing is a visible change (version bumped) that never touches credits.
    let version: i64 = sqlx::query_scalar("SELECT version FROM infographs WHERE id = $1")
        .bind(&id)
        .fetch_one(app.running.state.db.read())
        .await
        .expect("version");
    assert_eq!(version, 3, "submitted, completed, stored");
    assert_eq!(app.balance(&token).await, 9);
    app.assert_ledger_matches("ann@example.com", &token).await;
    (id, stored)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn completed_images_are_copied_thumbnailed_and_served_to_their_owner_only() {
    let app = TestApp::spawn().await;
    let (id, _) = check_stored_job(&app).await;
    // The local backend keeps the image and its two thumbnails (JPEG, WebP) under <data dir>/images.
    let dir = app.running.state.config.data_dir().join("images/infographs").join(&id);
    let files = std::fs::read_dir(&dir).expect("stored files").count();
    assert_eq!(files, 3, "image and thumbnails in {}", dir.display());
    // The list carries the same URLs (what the gallery shows).
    let token = common_token(&app).await;
    let (_, list) = app.get(&token, "/api/infographs/").await;
    assert!(list["infographs"][0]["thumbnail_url"].as_str().is_some_and(|u| u.ends_with("-thumb.jpg")), "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn other_sizes_and_formats_are_made_on_request_kept_and_owner_only() {
    let app = TestApp::spawn().await;
    let (id, stored) = check_stored_job(&app).await;
    let token = common_token(&app).await;
    let image_url = stored["image_url"].as_str().expect("image url");
    let stem = image_url.strip_suffix(".png").expect("a png");
    let dir = app.running.state.config.data_dir().join("images/infographs").join(&id);
    let auth = || Some(("Authorization", format!("Token {token}")));
    let bob = app.register("carol@example.com").await;
    // (file suffix, content type, expected size): the 1024 × 576 original, never upscaled.
    let cases = [
        ("-thumb.webp", "image/webp", (400, 225)),
        ("-w600.jpg", "image/jpeg", (600, 337)),
        ("-w600.webp", "image/webp", (600, 337)),
        ("-w700.webp", "image/webp", (700, 393)),
        ("-w800.webp", "image/webp", (800, 450)),
        ("-w1200.png", "image/png", (1024, 576)),
        (".jpg", "image/jpeg", (1024, 576)),
        (".webp", "image/webp", (1024, 576)),
    ];
    for (suffix, content_type, (w, h)) in cases {
        let url = format!("{stem}{suffix}");
        let r = get_with(&app, &url, auth()).await;
        assert_eq!(r.status(), 200, "{url}");
        assert_eq!(r.headers()["content-type"], content_type, "{url}");
        let img = image::load_from_memory(&r.bytes().await.expect("bytes")).expect("an image");
        assert_eq!((img.width(), img.height()), (w, h), "{url}");
        // Kept beside the original: the next request reads it back.
        let name = url.rsplit('/').next().expect("file name");
        assert!(dir.join(name).exists(), "{name} kept");
        // Another user: 404, as for a missing file; nobody: 401.
        assert_eq!(get_with(&app, &url, Some(("Authorization", format!("Token {bob}")))).await.status(), 404);
        assert_eq!(get_with(&app, &url, None).await.status(), 401);
    }
    // Names that are not a rendition of this image's hash, or not an offered size: 404.
    let other_hash = format!("{}/media/{id}/0123456789abcdef0123456789abcdef-w600.jpg", app.base);
    for url in [other_hash, format!("{stem}-w900.jpg"), format!("{stem}-thumb.gif"), format!("{stem}.svg")] {
        assert_eq!(get_with(&app, &url, auth()).await.status(), 404, "{url}");
    }
}

async fn common_token(app: &TestApp) -> String {
    let (status, body) = app
        .post_json(None, "/api/auth/token/", json!({"email": "ann@example.com", "password": PASSWORD}).to_string().into())
        .await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().expect("token").to_string()
}

/// A loopback stand-in for fal's media host: `/broken.png` always 500, `/page.png` HTML,
/// `/flaky.png` 503 once and then a real PNG. Counts hits per path.
async fn spawn_media_fixture() -> (SocketAddr, Arc<[AtomicUsize; 3]>) {
    let hits: Arc<[AtomicUsize; 3]> = Arc::new(Default::default());
    let png = app::server::fal::emulator::image::render_png(640, 480, 7).expect("png");
    let (h0, h1, h2) = (hits.clone(), hits.clone(), hits.clone());
    let router = Router::new()
        .route(
            "/broken.png",
            get(move || async move {
                h0[0].fetch_add(1, Ordering::SeqCst);
                (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "nope")
            }),
        )
        .route(
            "/page.png",
            get(move || async move {
                h1[1].fetch_add(1, Ordering::SeqCst);
                ([("content-type", "image/png")], "<html><body>not an image</body></html>")
            }),
        )
        .route(
            "/flaky.png",
            get(move || {
                let png = png.clone();
                async move {
                    if h2[2].fetch_add(1, Ordering::SeqCst) == 0 {
                        (axum::http::StatusCode::SERVICE_UNAVAILABLE, Vec::new())
                    } else {
                        (axum::http::StatusCode::OK, png)
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (addr, hits)
}

/// Completes a job through a signed webhook whose image lives at `image_url`.
async fn complete_with(app: &TestApp, token: &str, image_url: &str) -> String {
    let id = create_one(app, token, json!({"prompt": "[emulator:nowebhook] fixture image"})).await;
    let rid = app.fal_request_id(&id).await;
    let body = json!({"request_id": rid, "status": "OK",
        "payload": {"images": [{"url": image_url, "width": 640, "height": 480, "content_type": "image/png"}]}});
    let (status, answer) = app.post_webhook(&id, &rid, &body, None).await;
    assert_eq!((status, answer["changed"].clone()), (200, json!(true)), "{answer}");
    id
}

#[derive(Debug, sqlx::FromRow)]
struct StorageState {
    status: String,
    image_url: Option<String>,
    source_image_url: Option<String>,
    stored_at: Option<i64>,
    storage_attempts: i64,
    storage_error: Option<String>,
    storage_next_at: Option<i64>,
    storage_gave_up_at: Option<i64>,
}

async fn storage_state(app: &TestApp, id: &str) -> StorageState {
    sqlx::query_as(
        "SELECT status, image_url, source_image_url, stored_at, storage_attempts, storage_error, storage_next_at, \
         storage_gave_up_at FROM infographs WHERE id = $1",
    )
    .bind(id)
    .fetch_one(app.running.state.db.read())
    .await
    .expect("storage state")
}

/// Waits until `done` holds for the job's storage state; bounded.
async fn wait_storage(app: &TestApp, id: &str, done: impl Fn(&StorageState) -> bool) -> StorageState {
    let deadline = Instant::now() + WAIT;
    loop {
        let s = storage_state(app, id).await;
        if done(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "storage of {id} stuck: {s:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the app's clock is past `at_ms`, a time the app recorded (a retry falling due).
async fn wait_until_past(at_ms: i64) {
    let deadline = Instant::now() + WAIT;
    while app::server::platform::db::now_ms() <= at_ms {
        assert!(Instant::now() < deadline, "{at_ms} is not near");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_copies_keep_the_job_completed_with_fals_url_and_are_retried_boundedly() {
    let (fixture, hits) = spawn_media_fixture().await;
    let app = TestApp::spawn_with(|c| {
        c.fetch_allow = vec![fixture];
        c.storage.max_attempts = 3;
        c.storage.retry_base = Duration::from_millis(50);
    })
    .await;
    let token = app.register("cy@example.com").await;

    // A media host that always fails: three tries, then it stops; the job is untouched.
    let broken = format!("http://{fixture}/broken.png");
    let broken_id = complete_with(&app, &token, &broken).await;
    let s = wait_storage(&app, &broken_id, |s| s.storage_gave_up_at.is_some()).await;
    assert_eq!(s.storage_attempts, 3, "{s:?}");
    assert_eq!(s.status, "completed");
    assert_eq!(s.image_url.as_deref(), Some(broken.as_str()));
    assert!(s.stored_at.is_none() && s.source_image_url.is_none(), "{s:?}");
    assert!(s.storage_error.as_deref().is_some_and(|e| e.contains("HTTP 500")), "{s:?}");
    let seen = app.status(&token, &broken_id).await;
    assert_eq!((seen["status"].as_str(), seen["image_url"].as_str()), (Some("completed"), Some(broken.as_str())));
    // The card leaves "storing" once the copier gives up: fal's URL is the image for good.
    assert_eq!(seen["phase"], "done", "{seen}");
    // Bounded: once a fourth try would be due, the copier (one copy at a time, the earliest
    // completed first) copies the next job below without fetching this one again.
    wait_until_past(s.storage_next_at.expect("the time a next try would be due")).await;

    // Bytes that are not an image are refused whatever the Content-Type says.
    let page = format!("http://{fixture}/page.png");
    let id = complete_with(&app, &token, &page).await;
    let s = wait_storage(&app, &id, |s| s.storage_error.is_some()).await;
    assert!(s.storage_error.as_deref().is_some_and(|e| e.contains("not an image")), "{s:?}");
    assert!(s.stored_at.is_none());
    assert_eq!(storage_state(&app, &broken_id).await.storage_attempts, 3);
    assert_eq!(hits[0].load(Ordering::SeqCst), 3);

    // A transient failure is retried and then stored; fal's URL becomes the source.
    let flaky = format!("http://{fixture}/flaky.png");
    let id = complete_with(&app, &token, &flaky).await;
    let s = wait_storage(&app, &id, |s| s.stored_at.is_some()).await;
    assert_eq!(s.storage_attempts, 2, "{s:?}");
    assert_eq!(s.source_image_url.as_deref(), Some(flaky.as_str()));
    assert!(s.image_url.as_deref().is_some_and(|u| u.starts_with("/media/")), "{s:?}");
    let shown = app.status(&token, &id).await;
    assert_eq!((shown["width"].as_i64(), shown["height"].as_i64()), (Some(640), Some(480)));

    // A plain-http URL that is not an explicit test allowance is never stored, so never
    // fetched: the job fails (and is refunded) instead (see `Outcome::vetted`).
    let other = format!("http://127.0.0.1:{}/x.png", fixture.port() + 1);
    let id = complete_with(&app, &token, &other).await;
    let s = storage_state(&app, &id).await;
    assert_eq!((s.status.as_str(), s.image_url.as_deref(), s.storage_attempts), ("failed", None, 0), "{s:?}");

    // Copy failures moved no credit: 4 jobs charged, only the refused URL refunded.
    assert_eq!(app.balance(&token).await, 7);
    app.assert_ledger_matches("cy@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn images_are_stored_in_a_real_s3_compatible_server() {
    let Some((_moto, endpoint)) = crate::helpers::pyservers::start_moto().await else { return };
    let bucket = "infograph-test";
    let http = reqwest::Client::new();
    let made = http.put(format!("{endpoint}/{bucket}")).send().await.expect("create bucket");
    assert!(made.status().is_success(), "create bucket: {}", made.status());
    let app = TestApp::spawn_with(|c| {
        c.storage.url = Some(format!("s3://{bucket}/some/prefix"));
        c.storage.s3_endpoint = Some(endpoint.clone());
        c.storage.s3_allow_http = true;
        c.storage.s3_region = Some("us-east-1".into());
        c.storage.s3_access_key_id = Some("test".into());
        c.storage.s3_secret_access_key = Some(app::server::platform::config::Secret::new("test"));
    })
    .await;
    let (id, stored) = check_stored_job(&app).await;
    // The objects are really in the bucket, under the prefix, and are what we serve.
    let image_url = stored["image_url"].as_str().expect("url");
    let file = image_url.rsplit('/').next().expect("file name");
    // Read back with a client of our own (not the app's store), at the full key in the bucket.
    use object_store::ObjectStoreExt;
    let s3 = object_store::aws::AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_endpoint(&endpoint)
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .build()
        .expect("s3 client");
    let key = object_store::path::Path::from(format!("some/prefix/infographs/{id}/{file}"));
    let object = s3.get(&key).await.expect("the object is in the bucket").bytes().await.expect("object");
    let ours = get_with(&app, image_url, Some(("Authorization", format!("Token {}", common_token(&app).await)))).await;
    assert_eq!(object, ours.bytes().await.expect("ours"));
    // Nothing was written locally.
    assert!(!app.running.state.config.data_dir().join("images/infographs").join(&id).exists());
}

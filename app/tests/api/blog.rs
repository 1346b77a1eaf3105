//! Reading the blog: a loopback fixture site (allowed, by exact address, through the test-only
//! `fetch_allow` list), and the failures that must fail the job with a reason and refund.


use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use crate::helpers::{TestApp, WAIT};
use serde_json::json;

pub async fn fixture_site() -> (String, std::net::SocketAddr) {
    let router = Router::new()
        .route(
            "/post",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    r#"<html><head><title>Ignored | Blog</title><meta property="og:title" content="Why Bees Dance"></head>
                    <body><nav><p>Menu entries</p></nav><article><h1>Why Bees Dance</h1>
                    <p>Honeybees tell each other where flowers are with a waggle dance.</p>
                    <h2>The waggle run</h2><p>The angle encodes the direction relative to the sun.</p></article>
                    <footer><p>Subscribe now</p></footer></body></html>"#,
                )
                    .into_response()
            }),
        )
        .route("/redirect", get(|| async { (axum::http::StatusCode::FOUND, [(header::LOCATION, "/post")]).into_response() }))
        .route("/pdf", get(|| async { ([(header::CONTENT_TYPE, "application/pdf")], "%PDF-1.4").into_response() }))
        .route("/missing", get(|| async { axum::http::StatusCode::NOT_FOUND.into_response() }))
        .route("/to-private", get(|| async { redirect("http://10.1.2.3/post") }))
        .route("/to-metadata", get(|| async { redirect("http://169.254.169.254/latest/meta-data/") }))
        .route("/to-other-loopback", get(|| async { redirect("http://127.0.0.1:1/post") }))
        .route("/loop", get(|| async { redirect("/loop") }))
        .route("/huge", get(|| async { ([(header::CONTENT_TYPE, "text/html")], "<p>x</p>".repeat(100_000)).into_response() }))
        // 3 MB of `<div>`s closed by end tags the parser ignores: hours of parsing unbounded.
        .route("/complex", get(|| async { ([(header::CONTENT_TYPE, "text/html")], "<div></x>".repeat(340_000)).into_response() }))
        .route(
            "/slow",
            get(|| async {
                let stream = futures::stream::unfold(0, |n| async move {
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    (n < 20).then(|| (Ok::<_, std::io::Error>(format!("<p>{n}</p>")), n + 1))
                });
                ([(header::CONTENT_TYPE, "text/html")], axum::body::Body::from_stream(stream)).into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}"), addr)
}

fn redirect(to: &'static str) -> axum::response::Response {
    (axum::http::StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_blog_is_read_and_summarised_into_the_brief() {
    let (site, addr) = fixture_site().await;
    let app = TestApp::spawn_with(|c| c.fetch_allow = vec![addr]).await;
    let token = app.register("nia@example.com").await;
    for path in ["/post", "/redirect"] {
        let (status, body) = app
            .create(&token, json!({"prompt": "Make it fun", "blog_url": format!("{site}{path}")}))
            .await;
        assert_eq!(status, 201, "{body}");
        let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
        assert_eq!(app.wait_final(&token, &id, WAIT).await["status"], "completed");
        let built: String = sqlx::query_scalar("SELECT built_prompt FROM infographs WHERE id = $1")
            .bind(&id)
            .fetch_one(app.running.state.db.read())
            .await
            .expect("brief");
        // Named by its article; the author's words are labelled guidance, not the headline.
        assert!(built.starts_with(&format!("Title: Why Bees Dance\n{} Make it fun\n", app::server::blog::brief::REQUEST_LABEL)), "{built}");
        assert_eq!(app.status(&token, &id).await["title"], "Why Bees Dance");
        assert!(built.contains("Source article: Why Bees Dance"), "{built}");
        assert!(built.contains("- The waggle run"), "{built}");
        assert!(built.contains("waggle dance"), "{built}");
        assert!(!built.contains("Menu entries") && !built.contains("Subscribe now"), "{built}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unreadable_blog_fails_the_job_with_a_reason_and_refunds() {
    let (site, addr) = fixture_site().await;
    let app = TestApp::spawn_with(|c| {
        c.fetch_allow = vec![addr];
        c.fetch_max_bytes = 100_000;
        c.fetch_timeout = std::time::Duration::from_secs(2);
    })
    .await;
    let token = app.register("oz@example.com").await;
    let cases = [
        ("/pdf", "not HTML"),
        ("/missing", "HTTP 404"),
        ("/to-private", "10.1.2.3 is not public"),
        ("/to-metadata", "169.254.169.254 is not public"),
        ("/to-other-loopback", "127.0.0.1 is not public"),
        ("/loop", "too many redirects"),
        ("/huge", "larger than 100000 bytes"),
        ("/slow", "took too long"),
    ];
    for (path, reason) in cases {
        let (status, body) = app.create(&token, json!({"prompt": "x", "blog_url": format!("{site}{path}")})).await;
        assert_eq!(status, 201, "{body}");
        let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
        let done = app.wait_final(&token, &id, WAIT).await;
        assert_eq!(done["status"], "failed");
        let error = done["error"].as_str().expect("error");
        assert!(error.starts_with("could not read the blog") && error.contains(reason), "{error}");
    }
    assert_eq!(app.balance(&token).await, 10);
    app.assert_ledger_matches("oz@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn by_default_loopback_blogs_are_refused_at_create_time() {
    let (site, _) = fixture_site().await;
    let app = TestApp::spawn().await;
    let token = app.register("pat@example.com").await;
    let (status, body) = app.create(&token, json!({"prompt": "x", "blog_url": format!("{site}/post")})).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["fields"]["blog_url"].as_str().expect("msg").contains("not public"));
    assert_eq!(app.balance(&token).await, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_page_too_complex_to_parse_fails_the_job_and_refunds_once() {
    let (site, addr) = fixture_site().await;
    let app = TestApp::spawn_with(|c| c.fetch_allow = vec![addr]).await;
    let token = app.register("cx@example.com").await;
    let (status, body) = app.create(&token, json!({"prompt": "x", "blog_url": format!("{site}/complex")})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(app.balance(&token).await, 9);
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    // A hang guard, not a speed test: unbounded, this page takes hours; refused, milliseconds.
    let done = app.wait_final(&token, &id, std::time::Duration::from_secs(60)).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["refunded"], true);
    assert_eq!(done["error"], "could not read the blog: the page is too complex to read");
    let refunds = app.count("SELECT COUNT(*) FROM credit_ledger WHERE infograph_id = $1 AND reason = 'refund'", &id).await;
    assert_eq!(refunds, 1);
    assert_eq!(app.balance(&token).await, 10);
    app.assert_ledger_matches("cx@example.com", &token).await;
    // Nothing was sent to fal.
    let submitted = app.count("SELECT COUNT(*) FROM infographs WHERE id = $1 AND fal_request_id IS NOT NULL", &id).await;
    assert_eq!(submitted, 0);
}

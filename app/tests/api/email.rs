//! Job notification emails: opt-in per user, one email per final job, through a real SMTP server
//! (aiosmtpd, started here) or, without SMTP, as `.eml` files in the outbox folder.


use crate::helpers::{TestApp, WAIT};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn patch_account(app: &TestApp, token: Option<&str>, body: &str) -> (u16, Value) {
    let mut req = app.http.patch(app.url("/api/account/")).header("content-type", "application/json").body(body.to_string());
    if let Some(token) = token {
        req = req.header("Authorization", format!("Token {token}"));
    }
    let r = req.send().await.expect("patch");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn create_one(app: &TestApp, token: &str, prompt: &str) -> String {
    let (status, created) = app.create(token, json!({"prompt": prompt})).await;
    assert_eq!(status, 201, "{created}");
    created["infographs"][0]["id"].as_str().expect("id").to_string()
}

async fn unsent(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM email_outbox WHERE sent_at IS NULL")
        .fetch_one(app.running.state.db.read())
        .await
        .expect("count")
}

/// Waits until `n` messages exist per `read` and the outbox has nothing left to send.
async fn wait_messages(app: &TestApp, n: usize, read: impl Fn() -> Vec<String>) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let messages = read();
        if messages.len() >= n && unsent(app).await == 0 {
            return messages;
        }
        if Instant::now() >= deadline {
            let errors: Vec<(i64, Option<String>)> = sqlx::query_as("SELECT attempts, last_error FROM email_outbox")
                .fetch_all(app.running.state.db.read())
                .await
                .expect("outbox");
            panic!("expected {n} emails, have {}: {messages:?}; outbox: {errors:?}", messages.len());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(": ")))
}

/// Job notifications only (accounts also get verification emails, tested in `accounts.rs`).
fn job_emails(messages: Vec<String>) -> Vec<String> {
    messages.into_iter().filter(|m| header(m, "Subject").is_some_and(|s| s.starts_with("Your infographic"))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_email_per_final_job_for_opted_in_users_only() {
    let maildir = tempfile::tempdir().expect("maildir");
    let Some((_smtp, port)) = crate::helpers::pyservers::start_smtp(maildir.path()).await else { return };
    let app = TestApp::spawn_with(|c| {
        c.email.smtp_url = Some(app::server::platform::config::Secret::new(format!("smtp://127.0.0.1:{port}")));
        c.email.from = "Infograph <robot@infograph.test>".into();
    })
    .await;
    let ann = app.register("ann@example.com").await;
    let bob = app.register("bob@example.com").await;
    let (_, account) = app.get(&ann, "/api/account/").await;
    assert_eq!(account["notify_email"], json!(false), "off by default: {account}");
    let (status, account) = patch_account(&app, Some(&ann), r#"{"notify_email": true}"#).await;
    assert_eq!((status, account["notify_email"].clone()), (200, json!(true)), "{account}");

    let done = create_one(&app, &ann, "Coffee across the world").await;
    let failed = create_one(&app, &ann, "[emulator:fail] Doomed chart").await;
    let bobs = create_one(&app, &bob, "Bob's quiet chart").await;
    for (token, id) in [(&ann, &done), (&ann, &failed), (&bob, &bobs)] {
        app.wait_final(token, id, WAIT).await;
    }

    let messages = wait_messages(&app, 2, || job_emails(crate::helpers::pyservers::maildir_messages(maildir.path()))).await;
    // A duplicate webhook, or a second enqueue, never queues a second email.
    assert!(!app::server::delivery::email::queue_job_email(&app.running.state.db, &done).await.expect("enqueue"));
    // Nothing is left to send (a row is marked sent only once the SMTP server has taken it), so
    // the maildir below is final.
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE infograph_id = $1", &done).await, 1);
    assert_eq!(unsent(&app).await, 0);
    let messages_after = job_emails(crate::helpers::pyservers::maildir_messages(maildir.path()));
    assert_eq!(messages_after.len(), 2, "exactly one per final job of ann, none for bob: {messages_after:?}");
    assert_eq!(messages.len(), 2);
    for m in &messages {
        assert_eq!(header(m, "To"), Some("ann@example.com"), "{m}");
        assert!(header(m, "From").is_some_and(|f| f.contains("robot@infograph.test")), "{m}");
    }
    let ready = messages.iter().find(|m| header(m, "Subject").is_some_and(|s| s.contains("is ready"))).expect("ready email");
    assert!(ready.contains("Coffee across the world") && ready.contains(&app.base), "{ready}");
    let failure = messages
        .iter()
        .find(|m| header(m, "Subject").is_some_and(|s| s.contains("could not be generated")))
        .expect("failure email");
    assert!(failure.contains("asked to fail") && failure.contains("refunded"), "{failure}");
    let bob_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM email_outbox WHERE user_id = $1")
        .bind(app.user_id("bob@example.com").await)
        .fetch_one(app.running.state.db.read())
        .await
        .expect("count");
    assert_eq!(bob_rows, 0);

    // Opting out stops further emails.
    let (status, _) = patch_account(&app, Some(&ann), r#"{"notify_email": false}"#).await;
    assert_eq!(status, 200);
    let later = create_one(&app, &ann, "After opting out").await;
    app.wait_final(&ann, &later, WAIT).await;
    // The job's follow-ups have run once its image is stored: the copier is woken right after the
    // job's email was, or was not, queued.
    crate::helpers::wait_stored(&app, &ann, &later).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE infograph_id = $1", &later).await, 0);
    assert_eq!(unsent(&app).await, 0);
    assert_eq!(job_emails(crate::helpers::pyservers::maildir_messages(maildir.path())).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_account_patch_is_validated_strictly_and_changes_nothing_when_refused() {
    let app = TestApp::spawn().await;
    let token = app.register("val@example.com").await;
    let cases: [(&str, &str); 5] = [
        (r#"{"notify_email": "yes"}"#, "notify_email"),
        (r#"{"notify_email": 1}"#, "notify_email"),
        (r#"{}"#, "notify_email"),
        (r#"{"notify_email": true, "credit_balance": 1000}"#, "credit_balance"),
        (r#"[true]"#, "body"),
    ];
    for (body, field) in cases {
        let (status, answer) = patch_account(&app, Some(&token), body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"], "invalid_input");
        assert!(answer["fields"][field].is_string(), "{body} should name {field}: {answer}");
    }
    let (status, _) = patch_account(&app, Some(&token), "not json").await;
    assert_eq!(status, 400);
    let (status, _) = patch_account(&app, None, r#"{"notify_email": true}"#).await;
    assert_eq!(status, 401);
    let (_, account) = app.get(&token, "/api/account/").await;
    assert_eq!((account["notify_email"].clone(), account["credit_balance"].clone()), (json!(false), json!(10)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_smtp_emails_are_written_to_the_outbox_folder() {
    let app = TestApp::spawn().await;
    let token = app.register("dee@example.com").await;
    let (status, _) = patch_account(&app, Some(&token), r#"{"notify_email": true}"#).await;
    assert_eq!(status, 200);
    let id = create_one(&app, &token, "Outbox chart").await;
    app.wait_final(&token, &id, WAIT).await;
    let outbox = app.running.state.config.data_dir().join("outbox");
    let read = || job_emails(crate::helpers::outbox_messages(&outbox));
    let messages = wait_messages(&app, 1, read).await;
    assert_eq!(messages.len(), 1);
    // The crash backstop: an ended job whose outbox row was never written gets one (only one).
    let db = &app.running.state.db;
    sqlx::query("DELETE FROM email_outbox").execute(db.write().await.pool()).await.expect("delete");
    app::server::delivery::email::queue_missed_emails(db).await.expect("backstop");
    app::server::delivery::email::queue_missed_emails(db).await.expect("backstop again");
    assert_eq!(app.count("SELECT COUNT(*) FROM email_outbox WHERE infograph_id = $1", &id).await, 1);
    assert_eq!(header(&messages[0], "To"), Some("dee@example.com"));
    assert!(header(&messages[0], "Subject").is_some_and(|s| s.contains("Outbox chart")), "{}", messages[0]);
}

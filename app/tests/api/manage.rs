//! Cancel, regenerate, Idempotency-Key, delete, download, the admin dashboard's server side and
//! the OpenAPI document, over HTTP against a real server and emulator.


use reqwest::Method;
use crate::helpers::{form, sign_in_cookie, TestApp, PASSWORD};
use serde_json::{json, Value};
use std::time::Duration;

async fn create_one(app: &TestApp, token: &str, prompt: &str) -> String {
    let (status, body) = app.create(token, json!({"prompt": prompt})).await;
    assert_eq!(status, 201, "{body}");
    body["infographs"][0]["id"].as_str().expect("id").to_string()
}

async fn post(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    app.post_json(Some(token), path, "".into()).await
}

#[tokio::test]
async fn cancelling_a_job_before_it_starts_refunds_it_once() {
    // No worker slots: jobs stay queued, so the cancel always meets an unsubmitted job.
    let app = TestApp::spawn_with(|c| c.worker_concurrency = 0).await;
    let token = app.register("cancel@example.com").await;
    let id = create_one(&app, &token, "to be cancelled").await;
    assert_eq!(app.balance(&token).await, 9);

    let (status, body) = post(&app, &token, &format!("/api/infographs/{id}/cancel/")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "failed");
    assert_eq!(body["cancelled"], true);
    assert_eq!(body["refunded"], true);
    assert_eq!(body["cancellable"], false);
    assert_eq!(app.balance(&token).await, 10);

    let (again, body) = post(&app, &token, &format!("/api/infographs/{id}/cancel/")).await;
    assert_eq!(again, 409, "{body}");
    assert_eq!(body["error"], "conflict");
    assert_eq!(app.balance(&token).await, 10, "a second cancel refunds nothing");
    app.assert_ledger_matches("cancel@example.com", &token).await;
}

#[tokio::test]
async fn concurrent_cancels_refund_exactly_once() {
    let app = TestApp::spawn_with(|c| c.worker_concurrency = 0).await;
    let token = app.register("race-cancel@example.com").await;
    let id = create_one(&app, &token, "raced").await;
    let path = format!("/api/infographs/{id}/cancel/");
    let calls = (0..8).map(|_| post(&app, &token, &path));
    let results = futures::future::join_all(calls).await;
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    assert!(ok >= 1, "{results:?}");
    assert!(results.iter().all(|(s, _)| *s == 200 || *s == 409), "{results:?}");
    assert_eq!(app.balance(&token).await, 10);
    let refunds = app.count("SELECT COUNT(*) FROM credit_ledger WHERE infograph_id = $1 AND reason = 'refund'", &id).await;
    assert_eq!(refunds, 1);
    app.assert_ledger_matches("race-cancel@example.com", &token).await;
}

#[tokio::test]
async fn cancelling_a_job_in_fals_queue_ends_it_refunded_through_the_webhook() {
    // A long emulated job stays IN_QUEUE for its first quarter: time to cancel it there.
    let app = TestApp::spawn_with(|c| c.emulator_delay = Duration::from_secs(8)).await;
    let token = app.register("cancel-fal@example.com").await;
    let id = create_one(&app, &token, "cancel me at fal").await;
    app.fal_request_id(&id).await;
    let (status, body) = post(&app, &token, &format!("/api/infographs/{id}/cancel/")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "processing", "fal's answer comes by webhook: {body}");
    assert_eq!(body["cancellable"], false, "a cancel was already requested");
    let done = app.wait_final(&token, &id, Duration::from_secs(30)).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["cancelled"], true, "{done}");
    assert_eq!(done["refunded"], true, "{done}");
    assert_eq!(app.balance(&token).await, 10);
    app.assert_ledger_matches("cancel-fal@example.com", &token).await;
}

#[tokio::test]
async fn others_cannot_cancel_delete_regenerate_or_download() {
    let app = TestApp::spawn_with(|c| c.worker_concurrency = 0).await;
    let owner = app.register("owner@example.com").await;
    let other = app.register("other@example.com").await;
    let id = create_one(&app, &owner, "mine").await;
    for path in [format!("/api/infographs/{id}/cancel/"), format!("/api/infographs/{id}/regenerate/")] {
        let (status, body) = post(&app, &other, &path).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let deleted = app.http.delete(app.url(&format!("/api/infographs/{id}/"))).header("Authorization", format!("Token {other}")).send().await.expect("delete");
    assert_eq!(deleted.status(), 404);
    let (status, _) = app.get(&other, &format!("/api/infographs/{id}/download/")).await;
    assert_eq!(status, 404);
    assert_eq!(app.balance(&other).await, 10, "nothing charged to the stranger");
    assert_eq!(app.status(&owner, &id).await["status"], "queued", "the owner's job is untouched");
    let (status, _) = post(&app, "not-a-token", &format!("/api/infographs/{id}/cancel/")).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn regenerate_charges_a_new_job_with_the_same_settings() {
    let app = TestApp::spawn().await;
    let token = app.register("regen@example.com").await;
    let (status, body) = app
        .create(&token, json!({"prompt": "tides", "aspect_ratio": "9:16", "resolution": "4K"}))
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    let (status, body) = post(&app, &token, &format!("/api/infographs/{id}/regenerate/")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["credits_used"], 2);
    let new_id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_ne!(new_id, id);
    let s = app.status(&token, &new_id).await;
    assert_eq!((s["prompt"].as_str(), s["aspect_ratio"].as_str(), s["resolution"].as_str()), (Some("tides"), Some("9:16"), Some("4K")));
    assert_eq!(app.balance(&token).await, 6);
    let origin = app.count("SELECT COUNT(*) FROM infographs WHERE id = $1 AND regenerated_from IS NOT NULL", &new_id).await;
    assert_eq!(origin, 1);
    app.wait_final(&token, &new_id, Duration::from_secs(20)).await;
    app.assert_ledger_matches("regen@example.com", &token).await;
}

async fn create_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> (u16, Value, Option<String>) {
    let r = app
        .http
        .post(app.url("/api/infographs/create/"))
        .header("Authorization", format!("Token {token}"))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("create");
    let status = r.status().as_u16();
    let replayed = r.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()).map(str::to_string);
    (status, r.json().await.unwrap_or(Value::Null), replayed)
}

#[tokio::test]
async fn an_idempotency_key_charges_once_and_replays_the_first_answer() {
    let app = TestApp::spawn().await;
    let token = app.register("idem@example.com").await;
    let body = json!({"prompt": "once", "number_of_infographs": 2});
    let (s1, first, r1) = create_with_key(&app, &token, "key-1", &body).await;
    assert_eq!(s1, 201, "{first}");
    assert_eq!(r1, None);
    let (s2, second, r2) = create_with_key(&app, &token, "key-1", &body).await;
    assert_eq!(s2, 201, "{second}");
    assert_eq!(r2.as_deref(), Some("true"));
    assert_eq!(first, second, "the first answer, byte for byte");
    assert_eq!(app.balance(&token).await, 8, "charged once for two images");

    // Same key, different request: refused, naming the header, nothing charged.
    let (s3, err, _) = create_with_key(&app, &token, "key-1", &json!({"prompt": "something else"})).await;
    assert_eq!(s3, 400, "{err}");
    assert!(err["fields"]["Idempotency-Key"].is_string(), "{err}");
    assert_eq!(app.balance(&token).await, 8);

    // Another user's identical key is theirs alone.
    let other = app.register("idem2@example.com").await;
    let (s4, theirs, _) = create_with_key(&app, &other, "key-1", &body).await;
    assert_eq!(s4, 201);
    assert_ne!(theirs["infographs"][0]["id"], first["infographs"][0]["id"]);

    let (s5, bad, _) = create_with_key(&app, &token, &"k".repeat(300), &body).await;
    assert_eq!(s5, 400, "{bad}");
    assert!(bad["fields"]["Idempotency-Key"].is_string());
    assert_eq!(app.balance(&token).await, 8);
    app.assert_ledger_matches("idem@example.com", &token).await;
}

#[tokio::test]
async fn concurrent_retries_with_one_key_charge_once() {
    let app = TestApp::spawn().await;
    let token = app.register("idem-race@example.com").await;
    let body = json!({"prompt": "raced create"});
    let results = futures::future::join_all((0..12).map(|_| create_with_key(&app, &token, "same-key", &body))).await;
    let ids: std::collections::BTreeSet<String> = results
        .iter()
        .map(|(status, b, _)| {
            assert_eq!(*status, 201, "{b}");
            b["infographs"][0]["id"].as_str().expect("id").to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every retry got the same job: {ids:?}");
    assert_eq!(app.balance(&token).await, 9);
    let uid = app.user_id("idem-race@example.com").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM infographs WHERE user_id = $1", &uid).await, 1);
    app.assert_ledger_matches("idem-race@example.com", &token).await;
}

#[tokio::test]
async fn a_key_whose_create_failed_can_be_used_again() {
    let app = TestApp::spawn_with(|c| c.signup_credits = 1).await;
    let token = app.register("idem-poor@example.com").await;
    let body = json!({"prompt": "too big", "number_of_infographs": 3});
    let (status, err, _) = create_with_key(&app, &token, "k", &body).await;
    assert_eq!(status, 402, "{err}");
    // Not stored: after the user tops up, the same key goes through.
    let uid = app.user_id("idem-poor@example.com").await;
    app::server::billing::ledger::adjust(&app.running.state.db, &uid, 5, "test").await.expect("grant");
    let (status, ok, replayed) = create_with_key(&app, &token, "k", &body).await;
    assert_eq!(status, 201, "{ok}");
    assert_eq!(replayed, None);
    assert_eq!(app.balance(&token).await, 3);
}

#[tokio::test]
async fn delete_hides_the_infograph_and_keeps_the_ledger() {
    let app = TestApp::spawn().await;
    let token = app.register("delete@example.com").await;
    let id = create_one(&app, &token, "to delete").await;
    app.wait_final(&token, &id, Duration::from_secs(20)).await;
    let before = app.count("SELECT COUNT(*) FROM credit_ledger WHERE user_id = $1", &app.user_id("delete@example.com").await).await;
    let r = app.http.delete(app.url(&format!("/api/infographs/{id}/"))).header("Authorization", format!("Token {token}")).send().await.expect("delete");
    assert_eq!(r.status(), 204);
    let (status, _) = app.get(&token, &format!("/api/infographs/status/{id}/")).await;
    assert_eq!(status, 404);
    let (_, list) = app.get(&token, "/api/infographs/").await;
    assert_eq!(list["count"], 0, "{list}");
    let after = app.count("SELECT COUNT(*) FROM credit_ledger WHERE user_id = $1", &app.user_id("delete@example.com").await).await;
    assert_eq!(before, after);
    assert_eq!(app.balance(&token).await, 9, "a delete is not a refund");
    let again = app.http.delete(app.url(&format!("/api/infographs/{id}/"))).header("Authorization", format!("Token {token}")).send().await.expect("delete");
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn download_serves_the_image_with_a_file_name() {
    let app = TestApp::spawn_with(|c| c.worker_concurrency = 0).await;
    let token = app.register("download@example.com").await;
    let id = create_one(&app, &token, "Ocean currents, explained!").await;
    let (status, body) = app.get(&token, &format!("/api/infographs/{id}/download/")).await;
    assert_eq!(status, 409, "not finished yet: {body}");
    drop(app);

    let app = TestApp::spawn().await;
    let token = app.register("download@example.com").await;
    let id = create_one(&app, &token, "Ocean currents, explained!").await;
    app.wait_final(&token, &id, Duration::from_secs(20)).await;
    let r = app.send(Method::GET, &token, &format!("/api/infographs/{id}/download/")).await;
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"].to_str().expect("ascii").to_string();
    let short: String = id.chars().filter(char::is_ascii_alphanumeric).take(8).collect();
    assert!(disposition.starts_with("attachment; filename=\"infograph-ocean-currents-explained-"), "{disposition}");
    assert!(disposition.contains(&short), "{disposition}");
    assert!(r.headers()["content-type"].to_str().expect("ascii").starts_with("image/"));
    assert!(!r.bytes().await.expect("bytes").is_empty());
}

#[tokio::test]
async fn the_admin_page_is_a_404_to_everyone_but_admins() {
    let app = TestApp::spawn().await;
    app.register("plain@example.com").await;
    app::server::accounts::users::register(&app.running.state.db, "boss@example.com", PASSWORD, 0, true).await.expect("admin");
    let anonymous = app.http.get(app.url("/admin")).send().await.expect("get");
    assert_eq!(anonymous.status(), 404);
    let plain = sign_in_cookie(&app, "plain@example.com").await;
    let r = app.http.get(app.url("/admin")).header("cookie", &plain).send().await.expect("get");
    assert_eq!(r.status(), 404);
    let r = app.http.post(app.url("/sfn/admin_overview")).header("cookie", &plain).send().await.expect("sfn");
    assert_eq!(r.status(), 404, "server functions check too");
    let r = app
        .http
        .post(app.url("/sfn/admin_adjust_credits"))
        .header("cookie", &plain)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("user_id", app.user_id("plain@example.com").await.as_str()), ("amount", "1000")]))
        .send()
        .await
        .expect("sfn");
    assert_eq!(r.status(), 404);
    assert_eq!(app::server::billing::ledger::sum(&app.running.state.db, &app.user_id("plain@example.com").await).await.expect("sum"), 10);

    let boss = sign_in_cookie(&app, "boss@example.com").await;
    let r = app.http.get(app.url("/admin")).header("cookie", &boss).send().await.expect("get");
    assert_eq!(r.status(), 200);
    let r = app.http.post(app.url("/sfn/admin_overview")).header("cookie", &boss).send().await.expect("sfn");
    assert_eq!(r.status(), 200);
    let overview: Value = r.json().await.expect("json");
    assert_eq!(overview["users"], 2, "{overview}");
}

#[tokio::test]
async fn admins_adjust_credits_retry_failures_and_filter_jobs() {
    use app::model::admin::JobFilter;
    use app::server::admin;
    let app = TestApp::spawn().await;
    let state = &app.running.state;
    let token = app.register("customer@example.com").await;
    let boss = app::server::accounts::users::register(&state.db, "boss@example.com", PASSWORD, 0, true).await.expect("admin");
    let plain = app::server::accounts::users::by_id(&state.db, &app.user_id("customer@example.com").await).await.expect("db").expect("user");

    // Grants and removals are ledger rows naming the admin; a removal cannot overdraw.
    assert_eq!(admin::adjust_credits(state, &boss, &plain.id, 5).await.expect("grant"), 15);
    assert_eq!(admin::adjust_credits(state, &boss, &plain.id, -3).await.expect("remove"), 12);
    let overdraw = admin::adjust_credits(state, &boss, &plain.id, -100).await.expect_err("overdraw");
    assert_eq!(overdraw.field("amount").is_some(), true, "{overdraw:?}");
    assert!(admin::adjust_credits(state, &plain, &plain.id, 5).await.is_err(), "only admins");
    let ledger = admin::ledger(&state.db, &plain.id).await.expect("ledger");
    assert!(ledger.iter().any(|e| e.amount == -3 && e.actor.as_deref() == Some("boss@example.com")), "{ledger:?}");
    app.assert_ledger_matches("customer@example.com", &token).await;

    // A failed job is retried as a new job, charged to the owner, the admin on the debit row.
    let (_, body) = app.create(&token, json!({"prompt": "[emulator:fail] broken"})).await;
    let failed = body["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.wait_final(&token, &failed, Duration::from_secs(20)).await["status"], "failed");
    let (_, body) = app.create(&token, json!({"prompt": "a fine one"})).await;
    let fine = body["infographs"][0]["id"].as_str().expect("id").to_string();
    app.wait_final(&token, &fine, Duration::from_secs(20)).await;
    assert!(admin::retry(state, &boss, &fine).await.is_err(), "only failed jobs are retried");
    let before_retry = app.balance(&token).await;
    let new_ids = admin::retry(state, &boss, &failed).await.expect("retry");
    assert_eq!(new_ids.len(), 1);
    // A double click (or a second admin) gets the same retry, not a second charge.
    assert_eq!(admin::retry(state, &boss, &failed).await.expect("retry again"), new_ids);
    assert_eq!(app.balance(&token).await, before_retry - 1);
    let debit_actor: String = sqlx::query_scalar(
        "SELECT l.actor FROM credit_ledger l JOIN infographs i ON i.batch_id = l.batch_id WHERE i.id = $1 AND l.reason = 'debit'",
    )
    .bind(&new_ids[0])
    .fetch_one(state.db.read())
    .await
    .expect("actor");
    assert_eq!(debit_actor, boss.id);

    // Filters: status, user, search, dates; pagination totals.
    let all = admin::jobs(&state.db, &JobFilter::default()).await.expect("jobs");
    assert_eq!(all.total, 3);
    let failed_only = admin::jobs(&state.db, &JobFilter { status: Some("failed".into()), ..Default::default() }).await.expect("jobs");
    assert_eq!(failed_only.total, 1);
    assert_eq!(failed_only.jobs[0].id, failed);
    let by_prompt = admin::jobs(&state.db, &JobFilter { q: Some("FINE".into()), ..Default::default() }).await.expect("jobs");
    assert_eq!(by_prompt.total, 1, "case-insensitive search");
    let by_id = admin::jobs(&state.db, &JobFilter { q: Some(fine.clone()), ..Default::default() }).await.expect("jobs");
    assert_eq!(by_id.jobs.first().map(|j| j.id.as_str()), Some(fine.as_str()));
    let nobody = admin::jobs(&state.db, &JobFilter { user: Some("nobody@".into()), ..Default::default() }).await.expect("jobs");
    assert_eq!(nobody.total, 0);
    let wildcard = admin::jobs(&state.db, &JobFilter { q: Some("%".into()), ..Default::default() }).await.expect("jobs");
    assert_eq!(wildcard.total, 0, "% is a character, not a wildcard");
    let future = admin::jobs(&state.db, &JobFilter { from: Some("2999-01-01".into()), ..Default::default() }).await.expect("jobs");
    assert_eq!(future.total, 0);
    let bad = admin::jobs(&state.db, &JobFilter { status: Some("exploded".into()), to: Some("soon".into()), ..Default::default() }).await.expect_err("bad");
    assert!(bad.field("status").is_some() && bad.field("to").is_some(), "{bad:?}");

    let overview = admin::overview(&state.db).await.expect("overview");
    assert_eq!(overview.finished_24h, 2);
    assert_eq!(overview.failed_24h, 1);
    assert_eq!(overview.failure_rate_24h, Some(0.5));
    assert!(overview.p50_ms_24h.is_some() && overview.p95_ms_24h >= overview.p50_ms_24h);
}

#[tokio::test]
async fn the_openapi_document_covers_every_api_route() {
    let app = TestApp::spawn().await;
    let r = app.http.get(app.url("/api/openapi.json")).send().await.expect("get");
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{}", doc["openapi"]);
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    documented.sort();
    let mut expected = vec![
        "GET /api/health/", "GET /api/ready/", "GET /api/openapi.json", "GET /api/docs/", "POST /api/auth/register/",
        "POST /api/auth/token/", "POST /api/auth/password-reset/", "POST /api/auth/password-reset/confirm/", "GET /api/account/", "PATCH /api/account/", "GET /api/infographs/", "POST /api/infographs/create/",
        "GET /api/infographs/status/{id}/", "POST /api/infographs/webhook/{id}/", "DELETE /api/infographs/{id}/", "GET /api/events/",
        "POST /api/infographs/{id}/cancel/", "POST /api/infographs/{id}/regenerate/", "POST /api/infographs/{id}/finalize/", "GET /api/models/", "GET /api/infographs/{id}/download/",
        "POST /api/account/verification/", "GET /api/account/tokens/", "DELETE /api/account/tokens/{id}/",
        "POST /api/infographs/{id}/refine/", "GET /api/infographs/{id}/versions/",
        "PATCH /api/infographs/{id}/", "POST /api/infographs/{id}/share/", "DELETE /api/infographs/{id}/share/",
        "GET /api/billing/packs/", "GET /api/billing/purchases/", "POST /api/billing/purchases/", "GET /api/billing/purchases/{id}/",
        "POST /api/billing/stripe/webhook/",
        "POST /api/outlines/", "GET /api/brand-kits/", "POST /api/brand-kits/", "GET /api/brand-kits/{id}/", "PATCH /api/brand-kits/{id}/",
        "DELETE /api/brand-kits/{id}/", "PUT /api/brand-kits/{id}/logo/",
        "GET /api/infographs/{id}/proofread/", "POST /api/infographs/{id}/proofread/fix/", "POST /api/infographs/webhook/{id}/proofread/",
        "POST /api/infographs/{id}/layers/", "GET /api/infographs/{id}/layers/", "POST /api/infographs/{id}/text-edit/",
    ];
    expected.sort();
    assert_eq!(documented, expected);
    let page = app.http.get(app.url("/api/docs/")).send().await.expect("docs");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("/api/infographs/create/") && html.contains("Idempotency-Key"));
}

#[tokio::test]
async fn odd_ids_and_control_characters_are_client_errors_on_both_databases() {
    // PostgreSQL's text type rejects NUL: without checks these were 500s there (not on SQLite).
    let app = TestApp::spawn().await;
    let token = app.register("odd@example.com").await;
    for path in ["/api/infographs/status/%00/", "/api/infographs/status/a%20b/", "/api/infographs/%00/download/"] {
        let (status, body) = app.get(&token, path).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    for path in ["/api/infographs/%00/cancel/", "/api/infographs/%00/regenerate/"] {
        let (status, body) = post(&app, &token, path).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (status, body) = app.create(&token, json!({"prompt": "nul \u{0} here"})).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["fields"]["prompt"].is_string(), "{body}");
    let (status, _) = app
        .post_json(None, "/api/auth/token/", json!({"email": "odd\u{0}@example.com", "password": "password123"}).to_string().into())
        .await;
    assert_eq!(status, 401);
    // What this round added: a title, a password reset, a PATCH of an odd id.
    let (status, created) = app.create(&token, json!({"prompt": "Bees"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    for (path, body) in [(format!("/api/infographs/{id}/"), json!({"title": "nul \u{0} here"})), ("/api/infographs/%00/".to_string(), json!({"title": "fine"}))] {
        let r = app.http.patch(app.url(&path)).header("Authorization", format!("Token {token}")).json(&body).send().await.expect("patch");
        assert!(matches!(r.status().as_u16(), 400 | 404), "{path}: {}", r.status());
    }
    let (status, body) = app.post_json(None, "/api/auth/password-reset/", json!({"email": "odd\u{0}@example.com"}).to_string().into()).await;
    assert_eq!(status, 400, "not an address at all: {body}");
    assert!(body["fields"]["email"].is_string(), "{body}");
    let (status, _) = app.post_json(None, "/api/auth/password-reset/confirm/", json!({"token": "a\u{0}b", "password": "a new password"}).to_string().into()).await;
    assert_eq!(status, 400);
    assert_eq!(app.balance(&token).await, 9, "nothing charged but the one create");
}

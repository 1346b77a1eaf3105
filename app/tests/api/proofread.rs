//! Proofreading: every completed picture is read back through fal's `openrouter/router/vision`
//! (the emulator knows what it drew; `[emulator:typo]` makes it misspell a word and change a
//! number), compared with its outline, and fixed in one step; a read-back that never returns
//! ends "not proofread".

use crate::helpers::{new_key, now_secs, sign_in_cookie, TestApp};
use app::server::fal::signature::{signed_message, HEADER_REQUEST_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_USER_ID};
use ed25519_dalek::Signer;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

fn outline() -> Value {
    json!({
        "title": "Urban bees by the numbers",
        "subtitle": "What one city learned",
        "layout": "statistics",
        "sections": [
            {"heading": "Pollination matters", "line": "Bees pollinate most of the crops we eat.", "figure": "75 %"},
            {"heading": "City hives", "line": "Rooftop hives grew fast in ten years.", "figure": "1200 hives"},
            {"heading": "Wildflowers help", "line": "Meadows feed wild bees all summer long.", "figure": null}
        ]
    })
}

async fn completed(app: &TestApp, token: &str, prompt: &str) -> String {
    let (status, created) = app.create(token, json!({"prompt": prompt, "outline": outline()})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.wait_final(token, &id, WAIT).await["status"], "completed");
    id
}

async fn proofread(app: &TestApp, token: &str, id: &str) -> (u16, Value) {
    app.get(token, &format!("/api/infographs/{id}/proofread/")).await
}

/// Polls until the proofread has ended; bounded so a stuck read-back fails the test.
async fn wait_proofread(app: &TestApp, token: &str, id: &str) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let (status, body) = proofread(app, token, id).await;
        assert_eq!(status, 200, "{body}");
        if body["status"] != "pending" {
            return body;
        }
        assert!(Instant::now() < deadline, "proofread of {id} still pending: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn fix(app: &TestApp, token: &str, id: &str) -> (u16, Value) {
    app.post_json(Some(token), &format!("/api/infographs/{id}/proofread/fix/"), "".into()).await
}

fn kinds(body: &Value) -> Vec<String> {
    body["problems"].as_array().map(|p| p.iter().filter_map(|x| x["kind"].as_str().map(str::to_string)).collect()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_clean_picture_reads_back_with_every_word_right() {
    let app = TestApp::spawn().await;
    let token = app.register("clean@example.com").await;
    let id = completed(&app, &token, "Urban bees").await;
    let done = wait_proofread(&app, &token, &id).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["problems"], json!([]), "{done}");
    let expected = done["words_expected"].as_u64().expect("count");
    assert!(expected >= 20, "{done}");
    assert_eq!(done["words_found"].as_u64(), Some(expected), "{done}");
    assert!(done["text"].as_str().is_some_and(|t| t.to_lowercase().contains("urban bees by the numbers")), "{done}");
    // The status JSON and the versions list carry the summary.
    let status = app.status(&token, &id).await;
    assert_eq!(status["proofread"], json!({"status": "done", "problems": 0}), "{status}");
    let (_, versions) = app.get(&token, &format!("/api/infographs/{id}/versions/")).await;
    assert_eq!(versions["infographs"][0]["proofread"]["status"], "done", "{versions}");
    // Nothing to fix: 409, nothing charged.
    let balance = app.balance(&token).await;
    let (code, body) = fix(&app, &token, &id).await;
    assert_eq!(code, 409, "{body}");
    assert_eq!(app.balance(&token).await, balance);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_typo_is_found_and_fixed_in_one_step_free_the_first_time() {
    let app = TestApp::spawn().await;
    let token = app.register("typo@example.com").await;
    let id = completed(&app, &token, "Urban bees [emulator:typo]").await;
    let found = wait_proofread(&app, &token, &id).await;
    assert_eq!(found["status"], "done", "{found}");
    let kinds = kinds(&found);
    assert!(kinds.iter().any(|k| k == "misspelled"), "a misspelled word: {found}");
    assert!(kinds.iter().any(|k| k == "number_not_in_source"), "a number not in the source: {found}");
    assert!(found["words_found"].as_u64() < found["words_expected"].as_u64(), "{found}");
    for problem in found["problems"].as_array().expect("problems") {
        assert!(problem["expected"].is_string() || problem["found"].is_string(), "{problem}");
    }
    assert_eq!(app.status(&token, &id).await["proofread"]["status"], "done");

    // The first fix is free; its result is proofread too, and clean.
    let balance = app.balance(&token).await;
    let (code, created) = fix(&app, &token, &id).await;
    assert_eq!(code, 201, "{created}");
    assert_eq!(created["credits_used"], 0, "{created}");
    assert_eq!(app.balance(&token).await, balance, "the first fix is free");
    let fixed = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let version = app.wait_final(&token, &fixed, WAIT).await;
    assert_eq!(version["status"], "completed", "{version}");
    assert_eq!(version["parent_id"], json!(id));
    assert!(version["instruction"].as_str().is_some_and(|i| i.starts_with("Change \"") && i.ends_with("Keep everything else exactly as it is.")), "{version}");
    let clean = wait_proofread(&app, &token, &fixed).await;
    assert_eq!(clean["status"], "done", "{clean}");
    assert_eq!(clean["problems"], json!([]), "the fix is clean: {clean}");

    // A second fix of the family is charged like a refinement.
    let (code, again) = fix(&app, &token, &id).await;
    assert_eq!(code, 201, "{again}");
    assert!(again["credits_used"].as_i64() > Some(0), "{again}");
    assert_eq!(app.balance(&token).await, balance - again["credits_used"].as_i64().expect("cost"));
    app.assert_ledger_matches("typo@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_fixes_at_once_get_one_free_version() {
    let app = TestApp::spawn().await;
    let token = app.register("race@example.com").await;
    let id = completed(&app, &token, "Urban bees [emulator:typo]").await;
    assert_eq!(wait_proofread(&app, &token, &id).await["status"], "done");
    let balance = app.balance(&token).await;
    let attempts: Vec<_> = (0..4).map(|_| fix(&app, &token, &id)).collect();
    let answers = futures::future::join_all(attempts).await;
    let free = answers.iter().filter(|(code, body)| *code == 201 && body["credits_used"] == 0).count();
    assert_eq!(free, 1, "{answers:?}");
    for (code, body) in &answers {
        assert!(matches!(code, 201 | 409), "{code} {body}");
    }
    let paid: i64 = answers.iter().filter(|(code, _)| *code == 201).filter_map(|(_, b)| b["credits_used"].as_i64()).sum();
    assert_eq!(app.balance(&token).await, balance - paid);
    app.assert_ledger_matches("race@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_read_back_that_never_returns_ends_not_proofread() {
    let app = TestApp::spawn_with(|c| {
        c.proofread_timeout = Duration::from_secs(2);
        c.reconcile_after = Duration::from_secs(1);
    })
    .await;
    let token = app.register("silent@example.com").await;
    let id = completed(&app, &token, "Urban bees [emulator:noreadback]").await;
    let ended = wait_proofread(&app, &token, &id).await;
    assert_eq!(ended["status"], "not_proofread", "{ended}");
    let status = app.status(&token, &id).await;
    assert_eq!(status["status"], "completed", "the picture is unharmed: {status}");
    assert_eq!(status["proofread"]["status"], "not_proofread");
    let (code, body) = fix(&app, &token, &id).await;
    assert_eq!(code, 409, "nothing to fix without a proofread: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_the_owner_sees_or_fixes_a_proofread_and_forged_read_backs_are_refused() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@example.com").await;
    let other = app.register("other@example.com").await;
    let id = completed(&app, &owner, "Urban bees [emulator:typo]").await;
    assert_eq!(wait_proofread(&app, &owner, &id).await["status"], "done");
    let (code, body) = proofread(&app, &other, &id).await;
    assert_eq!(code, 404, "{body}");
    let balance = app.balance(&other).await;
    let (code, body) = fix(&app, &other, &id).await;
    assert_eq!(code, 404, "{body}");
    assert_eq!(app.balance(&other).await, balance);
    let (code, _) = proofread(&app, &owner, "no-such-id").await;
    assert_eq!(code, 404);

    // A read-back webhook signed with a key fal never published changes nothing.
    let before = proofread(&app, &owner, &id).await.1;
    let body = json!({"request_id": "forged", "status": "OK", "payload": {"output": "ALL WRONG"}});
    let raw = body.to_string().into_bytes();
    let ts = now_secs().to_string();
    let signature = new_key().sign(&signed_message("forged", "emulator-user", &ts, &raw));
    let r = app
        .http
        .post(app.url(&format!("/api/infographs/webhook/{id}/proofread/")))
        .header("content-type", "application/json")
        .header(HEADER_REQUEST_ID, "forged")
        .header(HEADER_USER_ID, "emulator-user")
        .header(HEADER_TIMESTAMP, ts)
        .header(HEADER_SIGNATURE, hex::encode(signature.to_bytes()))
        .body(raw)
        .send()
        .await
        .expect("webhook");
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(proofread(&app, &owner, &id).await.1, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fix_automatically_asks_for_the_free_fix_once() {
    let app = TestApp::spawn().await;
    let token = app.register("auto@example.com").await;
    let cookie = sign_in_cookie(&app, "auto@example.com").await;
    let r = app
        .http
        .post(app.url("/sfn/set_auto_fix"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &app.base)
        .header("cookie", &cookie)
        .body("enabled=true")
        .send()
        .await
        .expect("setting");
    assert!(r.status().is_success(), "{}", r.status());
    let balance_before = app.balance(&token).await;
    let (status, created) = app.create(&token, json!({"prompt": "Urban bees [emulator:typo]", "outline": outline()})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let deadline = Instant::now() + WAIT;
    let fixed = loop {
        let (_, versions) = app.get(&token, &format!("/api/infographs/{id}/versions/")).await;
        if let Some(v) = versions["infographs"].as_array().and_then(|all| all.iter().find(|v| v["parent_id"] == json!(id)).cloned()) {
            break v;
        }
        assert!(Instant::now() < deadline, "no automatic fix: {versions}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let fixed_id = fixed["id"].as_str().expect("id");
    assert_eq!(app.wait_final(&token, fixed_id, WAIT).await["status"], "completed");
    assert_eq!(wait_proofread(&app, &token, fixed_id).await["problems"], json!([]));
    let (_, versions) = app.get(&token, &format!("/api/infographs/{id}/versions/")).await;
    assert_eq!(versions["count"], 2, "one automatic fix, not more: {versions}");
    let charged = created["credits_used"].as_i64().expect("cost");
    assert_eq!(app.balance(&token).await, balance_before - charged, "only the picture was charged");
}

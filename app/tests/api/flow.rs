//! End-to-end flows through the real HTTP server, SQLite and the fal emulator.


use reqwest::Method;
use crate::helpers::{new_key, now_secs, TestApp, WAIT};
use serde_json::{json, Value};
use std::time::Duration;

fn ok_payload() -> Value {
    json!({"images": [{"url": "https://fal.media/files/test.png", "width": 1024, "height": 576, "content_type": "image/png"}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn create_then_webhook_completes_the_job() {
    let app = TestApp::spawn().await;
    let token = app.register("ann@example.com").await;
    let (status, body) = app
        .create(&token, json!({"prompt": "Rainfall in Lisbon", "aspect_ratio": "16/9", "resolution": "2K", "number_of_infographs": 2}))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["total_submitted"], 2);
    assert_eq!(body["credits_used"], 2);
    let jobs = body["infographs"].as_array().expect("list").clone();
    assert_eq!(jobs.len(), 2);
    for job in &jobs {
        assert_eq!(job["status"], "queued");
        let id = job["id"].as_str().expect("id");
        assert_eq!(job["status_url"], app.url(&format!("/api/infographs/status/{id}/")));
    }
    assert_eq!(app.balance(&token).await, 8);

    for job in &jobs {
        let id = job["id"].as_str().expect("id");
        let done = app.wait_final(&token, id, WAIT).await;
        assert_eq!(done["status"], "completed", "{done}");
        // 2K 16:9 asked; the emulator draws at most 1024 px on the long side and reports the
        // file's true size (emulator/image.rs).
        assert_eq!(done["width"], 1024);
        assert_eq!(done["height"], 576);
        assert!(done["error"].is_null());
        // fal's URL, or ours once the copy is stored (owner-only: the token goes along).
        let image_url = done["image_url"].as_str().expect("image url");
        let image = app.http.get(image_url).header("Authorization", format!("Token {token}")).send().await.expect("image");
        assert_eq!(image.status(), 200);
        assert_eq!(image.headers()["content-type"], "image/png");
        let png = image::load_from_memory(&image.bytes().await.expect("png")).expect("a real PNG");
        assert_eq!((png.width(), png.height()), (1024, 576));
        // The model got fal's spelling of the ratio and our brief.
        let built: String = sqlx::query_scalar("SELECT built_prompt FROM infographs WHERE id = $1")
            .bind(id)
            .fetch_one(app.running.state.db.read())
            .await
            .expect("brief");
        assert!(built.starts_with("Title: Rainfall in Lisbon\n") && built.contains("16:9"), "{built}");
    }
    assert_eq!(app.balance(&token).await, 8);
    app.assert_ledger_matches("ann@example.com", &token).await;
    let (status, list) = app.get(&token, "/api/infographs/").await;
    assert_eq!(status, 200);
    assert_eq!(list["count"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn error_webhook_fails_the_job_and_refunds_exactly_once() {
    let app = TestApp::spawn().await;
    let token = app.register("bob@example.com").await;
    let (status, body) = app
        .create(&token, json!({"prompt": "[emulator:fail] doomed", "resolution": "4K"}))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["credits_used"], 2);
    assert_eq!(app.balance(&token).await, 8);
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!(done["status"], "failed");
    assert_eq!(done["refunded"], true);
    assert!(done["error"].as_str().expect("error").contains("emulator was asked to fail"), "{done}");
    assert_eq!(app.balance(&token).await, 10);
    let refunds = app.count("SELECT COUNT(*) FROM credit_ledger WHERE infograph_id = $1 AND reason = 'refund'", &id).await;
    assert_eq!(refunds, 1);

    // fal retries deliveries: the same ERROR again, three times, changes nothing.
    let rid = app.fal_request_id(&id).await;
    let error = json!({"request_id": rid, "status": "ERROR", "error": "Invalid status code: 422", "payload": {"detail": "again"}});
    for _ in 0..3 {
        let (status, body) = app.post_webhook(&id, &rid, &error, None).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["changed"], false);
    }
    assert_eq!(app.balance(&token).await, 10);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM credit_ledger WHERE infograph_id = $1 AND reason = 'refund'", &id).await,
        1
    );
    app.assert_ledger_matches("bob@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_webhook_delivered_three_times_at_once_is_applied_once() {
    let app = TestApp::spawn().await;
    let token = app.register("cy@example.com").await;
    for (prompt, webhook) in [
        ("[emulator:nowebhook] ok thrice", json!({"status": "OK", "payload": ok_payload()})),
        ("[emulator:nowebhook] error thrice", json!({"status": "ERROR", "error": "Invalid status code: 422", "payload": {"detail": [{"msg": "policy"}]}})),
    ] {
        let (status, body) = app.create(&token, json!({"prompt": prompt})).await;
        assert_eq!(status, 201, "{body}");
        let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
        let rid = app.fal_request_id(&id).await;
        let mut webhook = webhook.clone();
        webhook["request_id"] = json!(rid);
        let (a, b, c) = tokio::join!(
            app.post_webhook(&id, &rid, &webhook, None),
            app.post_webhook(&id, &rid, &webhook, None),
            app.post_webhook(&id, &rid, &webhook, None),
        );
        let results = [a, b, c];
        assert!(results.iter().all(|(s, _)| *s == 200), "{results:?}");
        let changed = results.iter().filter(|(_, body)| body["changed"] == true).count();
        assert_eq!(changed, 1, "{results:?}");
        let version = app.count("SELECT version FROM infographs WHERE id = $1", &id).await;
        assert_eq!(version, 2, "queued→processing→final is exactly two transitions");
    }
    // One OK (charged), one ERROR (refunded once).
    assert_eq!(app.balance(&token).await, 9);
    app.assert_ledger_matches("cy@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forged_or_malformed_webhooks_are_rejected_and_change_nothing() {
    let app = TestApp::spawn().await;
    let token = app.register("dee@example.com").await;
    let (_, body) = app.create(&token, json!({"prompt": "[emulator:nowebhook] target"})).await;
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    let rid = app.fal_request_id(&id).await;
    let webhook = json!({"request_id": rid, "status": "OK", "payload": ok_payload()});

    // Signed by a key nobody published.
    let (status, _) = app.post_webhook(&id, &rid, &webhook, Some(&new_key())).await;
    assert_eq!(status, 401);

    // Valid signature, then the body is altered.
    let raw = webhook.to_string().into_bytes();
    let ts = now_secs().to_string();
    use ed25519_dalek::Signer;
    let sig = app.test_key.sign(&app::server::fal::signature::signed_message(&rid, "u", &ts, &raw));
    let headers = |ts: &str, sig: &str| {
        vec![
            ("x-fal-webhook-request-id", rid.clone()),
            ("x-fal-webhook-user-id", "u".to_string()),
            ("x-fal-webhook-timestamp", ts.to_string()),
            ("x-fal-webhook-signature", sig.to_string()),
        ]
    };
    let tampered = json!({"request_id": rid, "status": "ERROR", "payload": null}).to_string().into_bytes();
    let (status, _) = app.post_webhook_raw(&id, tampered, &headers(&ts, &hex::encode(sig.to_bytes()))).await;
    assert_eq!(status, 401);

    // Stale timestamp (validly signed).
    let old = (now_secs() - 3600).to_string();
    let old_sig = app.test_key.sign(&app::server::fal::signature::signed_message(&rid, "u", &old, &raw));
    let (status, _) = app.post_webhook_raw(&id, raw.clone(), &headers(&old, &hex::encode(old_sig.to_bytes()))).await;
    assert_eq!(status, 401);

    // No signature headers at all.
    let (status, body) = app.post_webhook_raw(&id, raw.clone(), &[]).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "invalid_signature");

    // Validly signed, but for another fal request than this job's.
    let other = json!({"request_id": "someone-elses", "status": "OK", "payload": ok_payload()});
    let (status, _) = app.post_webhook(&id, "someone-elses", &other, None).await;
    assert_eq!(status, 400);

    let s = app.status(&token, &id).await;
    assert_eq!(s["status"], "processing", "{s}");
    assert_eq!(app.balance(&token).await, 9);

    // And the genuine article still works.
    let (status, body) = app.post_webhook(&id, &rid, &webhook, None).await;
    assert_eq!((status, body["changed"].clone()), (200, json!(true)));
    assert_eq!(app.status(&token, &id).await["status"], "completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_webhook_is_recovered_by_the_reconciler() {
    let app = TestApp::spawn_with(|c| c.reconcile_after = Duration::from_secs(1)).await;
    let token = app.register("eve@example.com").await;
    let (_, body) = app.create(&token, json!({"prompt": "[emulator:nowebhook] quiet one"})).await;
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert!(done["image_url"].as_str().expect("url").contains(".png"));

    let (_, body) = app.create(&token, json!({"prompt": "[emulator:nowebhook] [emulator:fail] quiet failure"})).await;
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(app.balance(&token).await, 9);
    app.assert_ledger_matches("eve@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unreachable_public_base_url_still_ends_every_job() {
    // fal (the emulator) cannot deliver webhooks to this address; polling must finish the job.
    let app = TestApp::spawn_with(|c| {
        c.public_base_url = Some("http://127.0.0.1:9".into());
        c.reconcile_after = Duration::from_secs(1);
    })
    .await;
    let token = app.register("fay@example.com").await;
    let (_, body) = app.create(&token, json!({"prompt": "webhook goes nowhere"})).await;
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.wait_final(&token, &id, WAIT).await["status"], "completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_past_the_hard_timeout_fail_and_are_refunded() {
    let app = TestApp::spawn_with(|c| {
        c.emulator_delay = Duration::from_secs(30);
        c.job_timeout = Duration::from_secs(2);
        c.reconcile_after = Duration::from_secs(1);
    })
    .await;
    let token = app.register("gil@example.com").await;
    let (_, body) = app.create(&token, json!({"prompt": "never finishes in time", "number_of_infographs": 2})).await;
    assert_eq!(app.balance(&token).await, 8);
    for job in body["infographs"].as_array().expect("jobs") {
        let done = app.wait_final(&token, job["id"].as_str().expect("id"), WAIT).await;
        assert_eq!(done["status"], "failed");
        assert!(done["error"].as_str().expect("error").contains("timed out"));
    }
    assert_eq!(app.balance(&token).await, 10);
    app.assert_ledger_matches("gil@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fal_unreachable_fails_after_retries_and_refunds() {
    // Fault injection: the queue URL points at a closed port; every submit attempt fails.
    let app = TestApp::spawn_with(|c| {
        c.fal.queue_url = Some("http://127.0.0.1:9/queue".into());
        c.fal.max_attempts = 3;
    })
    .await;
    let token = app.register("hal@example.com").await;
    let (status, body) = app.create(&token, json!({"prompt": "fal is down", "number_of_infographs": 3})).await;
    assert_eq!(status, 201);
    assert_eq!(app.balance(&token).await, 7);
    for job in body["infographs"].as_array().expect("jobs") {
        let done = app.wait_final(&token, job["id"].as_str().expect("id"), WAIT).await;
        assert_eq!(done["status"], "failed");
        assert!(done["error"].as_str().expect("error").contains("fal did not accept"), "{done}");
    }
    assert_eq!(app.balance(&token).await, 10);
    app.assert_ledger_matches("hal@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_creates_on_ten_credits_charge_exactly_ten() {
    let app = TestApp::spawn_with(|c| c.emulator_delay = Duration::from_secs(20)).await;
    let token = app.register("ivy@example.com").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let http = app.http.clone();
        let url = app.url("/api/infographs/create/");
        let token = token.clone();
        tasks.spawn(async move {
            let r = http
                .post(url)
                .header("Authorization", format!("Token {token}"))
                .json(&json!({"prompt": format!("race {i}")}))
                .send()
                .await
                .expect("send");
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let mut created = 0;
    let mut refused = 0;
    while let Some(result) = tasks.join_next().await {
        let (status, body) = result.expect("task");
        match status {
            201 => created += 1,
            402 => {
                assert_eq!(body["error"], "not_enough_credits");
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((created, refused), (10, 40));
    assert_eq!(app.balance(&token).await, 0);
    let uid = app.user_id("ivy@example.com").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM infographs WHERE user_id = $1", &uid).await, 10);
    assert_eq!(app.count("SELECT COUNT(*) FROM credit_ledger WHERE user_id = $1 AND reason = 'debit'", &uid).await, 10);
    app.assert_ledger_matches("ivy@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_users_infograph_is_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.register("jo@example.com").await;
    let other = app.register("kim@example.com").await;
    let (_, body) = app.create(&owner, json!({"prompt": "private"})).await;
    let id = body["infographs"][0]["id"].as_str().expect("id");
    let (status, body) = app.get(&other, &format!("/api/infographs/status/{id}/")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "not_found");
    let (status, _) = app.get(&other, "/api/infographs/status/does-not-exist/").await;
    assert_eq!(status, 404);
    let (_, list) = app.get(&other, "/api/infographs/").await;
    assert_eq!(list["count"], 0);
    assert_eq!(app.get(&owner, &format!("/api/infographs/status/{id}/")).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_bad_input_is_a_4xx_naming_the_field_and_charges_nothing() {
    let app = TestApp::spawn().await;
    let token = app.register("lu@example.com").await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({}), "prompt"),
        (json!({"prompt": ""}), "prompt"),
        (json!({"prompt": "   "}), "prompt"),
        (json!({"prompt": "x".repeat(4001)}), "prompt"),
        (json!({"prompt": 42.5}), "prompt"),
        (json!({"prompt": "ok", "aspect_ratio": []}), "aspect_ratio"),
        (json!({"prompt": "ok", "resolution": 4}), "resolution"),
        (json!({"prompt": "ok", "number_of_infographs": [2]}), "number_of_infographs"),
        (json!({"prompt": "ok", "aspect_ratio": "7:5"}), "aspect_ratio"),
        (json!({"prompt": "ok", "resolution": "8K"}), "resolution"),
        (json!({"prompt": "ok", "number_of_infographs": 0}), "number_of_infographs"),
        (json!({"prompt": "ok", "number_of_infographs": 5}), "number_of_infographs"),
        (json!({"prompt": "ok", "number_of_infographs": "many"}), "number_of_infographs"),
        (json!({"prompt": "ok", "number_of_infographs": -1}), "number_of_infographs"),
        (json!({"prompt": "ok", "number_of_infographs": 2.5}), "number_of_infographs"),
        (json!({"prompt": "ok", "blog_url": "ftp://example.com/a"}), "blog_url"),
        (json!({"prompt": "ok", "blog_url": "not a url"}), "blog_url"),
        (json!({"prompt": "ok", "blog_url": "http://127.0.0.1/admin"}), "blog_url"),
        (json!({"prompt": "ok", "blog_url": "http://169.254.169.254/latest/meta-data"}), "blog_url"),
        (json!({"prompt": "ok", "blog_url": "http://localhost:3000/"}), "blog_url"),
        (json!({"prompt": "ok", "blog_url": "http://[::1]/"}), "blog_url"),
        (json!({"prompt": "ok", "blog_url": "http://2130706433/"}), "blog_url"),
        (json!({"prompt": "ok", "blog_url": 7}), "blog_url"),
        (json!(["prompt"]), "body"),
    ];
    for (body, field) in cases {
        let (status, answer) = app.create(&token, body.clone()).await;
        assert_eq!(status, 400, "{body} -> {answer}");
        assert_eq!(answer["error"], "invalid_input", "{answer}");
        assert!(answer["fields"][field].is_string(), "{body}: expected field {field} in {answer}");
        assert!(answer["message"].is_string());
    }
    for raw in ["", "{", "null", "\"text\""] {
        let (status, answer) = app.post_json(Some(&token), "/api/infographs/create/", raw.to_string().into()).await;
        assert_eq!(status, 400, "{raw:?} -> {answer}");
        assert!(answer["fields"]["body"].is_string());
    }
    // Too expensive is 402, with the numbers.
    let (status, answer) = app.create(&token, json!({"prompt": "ok", "resolution": "4K", "number_of_infographs": 4})).await;
    assert_eq!(status, 201, "8 credits of 10 is fine: {answer}");
    let (status, answer) = app.create(&token, json!({"prompt": "ok", "resolution": "4K", "number_of_infographs": 2})).await;
    assert_eq!(status, 402);
    assert_eq!((answer["error"].clone(), answer["required"].clone(), answer["balance"].clone()), (json!("not_enough_credits"), json!(4), json!(2)));
    assert!(answer["message"].is_string());

    assert_eq!(app.balance(&token).await, 2);
    let uid = app.user_id("lu@example.com").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM infographs WHERE user_id = $1", &uid).await, 4);
    app.assert_ledger_matches("lu@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn auth_endpoints_follow_the_contract() {
    let app = TestApp::spawn().await;
    let token = app.register("mo@example.com").await;
    assert_eq!(app.balance(&token).await, 10);

    // Same email again, any case.
    let (status, body) = app
        .post_json(None, "/api/auth/register/", json!({"email": "MO@example.com", "password": "password123"}).to_string().into())
        .await;
    assert_eq!(status, 400);
    assert!(body["fields"]["email"].is_string());
    let (status, body) = app
        .post_json(None, "/api/auth/register/", json!({"email": "x@example.com", "password": "short"}).to_string().into())
        .await;
    assert_eq!(status, 400);
    assert!(body["fields"]["password"].is_string());

    let (status, body) = app
        .post_json(None, "/api/auth/token/", json!({"email": "mo@example.com", "password": "password123"}).to_string().into())
        .await;
    assert_eq!(status, 200);
    let second = body["token"].as_str().expect("token");
    assert_ne!(second, token);
    assert_eq!(app.balance(second).await, 10);

    let (status, body) = app
        .post_json(None, "/api/auth/token/", json!({"email": "mo@example.com", "password": "wrong-password"}).to_string().into())
        .await;
    assert_eq!(status, 401, "{body}");

    for auth in ["", "Token nope", "Basic bW86cGFzcw=="] {
        let r = app.http.get(app.url("/api/account/")).header("Authorization", auth).send().await.expect("get");
        assert_eq!(r.status(), 401);
    }
    let r = app.http.post(app.url("/api/infographs/create/")).json(&json!({"prompt": "x"})).send().await.expect("post");
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"], "unauthorized");

    // Tokens are stored hashed: the plain token is nowhere in the database.
    let stored = app.count("SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1", &token).await;
    assert_eq!(stored, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_emulator_is_never_mounted_when_a_fal_key_is_set() {
    let app = TestApp::spawn_with(|c| {
        c.fal.key = Some(app::server::platform::config::Secret::new("real-key"));
        c.fal.emulator = false;
        c.fal.queue_url = Some("http://127.0.0.1:9".into());
    })
    .await;
    for path in ["/fal-emulator/.well-known/jwks.json", "/fal-emulator/queue/fal-ai/nano-banana-pro"] {
        let r = app.http.get(app.url(path)).send().await.expect("get");
        assert_eq!(r.status(), 404, "{path}");
    }
    let r = app.http.post(app.url("/fal-emulator/queue/fal-ai/nano-banana-pro")).body("{}").send().await.expect("post");
    assert!(r.status().is_client_error(), "{}", r.status());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limits_answer_429_with_retry_after_and_charge_nothing() {
    let app = TestApp::spawn_with(|c| {
        c.create_per_minute = 3;
        c.auth_per_minute = 4;
        c.trusted_proxy_header = Some("x-forwarded-for".into());
    })
    .await;
    let token = app.register("rl@example.com").await; // auth hit 1 for 127.0.0.1
    let mut statuses = Vec::new();
    for i in 0..5 {
        let r = app
            .http
            .post(app.url("/api/infographs/create/"))
            .header("Authorization", format!("Token {token}"))
            .json(&json!({"prompt": format!("limited {i}")}))
            .send()
            .await
            .expect("create");
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            let retry: u64 = r.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
            assert!((1..=61).contains(&retry), "{retry}");
            let body: Value = r.json().await.expect("json");
            assert_eq!(body["error"], "rate_limited");
            assert!(body["message"].as_str().expect("message").contains("try again"));
        }
    }
    assert_eq!(statuses, vec![201, 201, 201, 429, 429]);
    assert_eq!(app.balance(&token).await, 7, "refused creates charge nothing");

    // Per client IP on the auth endpoints, read from the trusted proxy header.
    let login = json!({"email": "rl@example.com", "password": "password123"}).to_string();
    let attempt = |ip: &'static str| {
        let req = app
            .http
            .post(app.url("/api/auth/token/"))
            .header("x-forwarded-for", format!("198.51.100.1, {ip}"))
            .header("content-type", "application/json")
            .body(login.clone());
        async move { req.send().await.expect("token").status().as_u16() }
    };
    let mut from_one = Vec::new();
    for _ in 0..5 {
        from_one.push(attempt("203.0.113.7").await);
    }
    assert_eq!(from_one, vec![200, 200, 200, 200, 429]);
    assert_eq!(attempt("203.0.113.8").await, 200, "another client has its own budget");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_submission_lost_by_a_crash_is_adopted_from_its_webhook_not_resubmitted() {
    let app = TestApp::spawn_with(|c| c.job_lease = Some(Duration::from_millis(200))).await;
    let token = app.register("ada@example.com").await;
    let (_, body) = app.create(&token, json!({"prompt": "[emulator:nowebhook] crash window"})).await;
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    app.fal_request_id(&id).await;
    // Put the row back as a worker killed between fal's answer and our write would leave it:
    // intent recorded, no request id, lease expired.
    sqlx::query(
        "UPDATE infographs SET status = 'queued', fal_request_id = NULL, fal_status_url = NULL, \
         fal_response_url = NULL, submitted_at = NULL, lease_until = 0, version = 0 WHERE id = $1",
    )
    .bind(&id)
    .execute(app.running.state.db.write().await.pool())
    .await
    .expect("simulate the crash");
    // The worker claims queued jobs oldest first: once a later job has been submitted, the worker
    // has gone past this one, and a claim of it would have left its lease set.
    let other = app.register("later@example.com").await;
    let (_, later) = app.create(&other, json!({"prompt": "a later job"})).await;
    app.fal_request_id(later["infographs"][0]["id"].as_str().expect("id")).await;
    let row: (String, Option<String>, Option<i64>) =
        sqlx::query_as("SELECT status, fal_request_id, lease_until FROM infographs WHERE id = $1")
            .bind(&id)
            .fetch_one(app.running.state.db.read())
            .await
            .expect("row");
    assert_eq!(row, ("queued".to_string(), None, Some(0)), "a job that may be at fal is never claimed or submitted again");

    let webhook = json!({"request_id": "rid-from-the-crash", "status": "OK", "payload": ok_payload()});
    let (status, answer) = app.post_webhook(&id, "rid-from-the-crash", &webhook, None).await;
    assert_eq!((status, answer["changed"].clone()), (200, json!(true)), "{answer}");
    let done = app.status(&token, &id).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(app.balance(&token).await, 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_payload_error_webhook_fetches_the_result_instead_of_failing() {
    let app = TestApp::spawn().await;
    let token = app.register("pe@example.com").await;
    let (_, body) = app.create(&token, json!({"prompt": "[emulator:nowebhook] big output"})).await;
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    let rid = app.fal_request_id(&id).await;
    app.wait_fal_completed(&id).await;
    let webhook = json!({"request_id": rid, "status": "OK", "payload": null, "payload_error": "Output too large"});
    let (status, answer) = app.post_webhook(&id, &rid, &webhook, None).await;
    assert_eq!((status, answer["changed"].clone()), (200, json!(true)), "{answer}");
    let done = app.status(&token, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert!(done["image_url"].as_str().expect("url").contains(".png"));
    assert_eq!(app.balance(&token).await, 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unknown_api_routes_answer_a_json_404_and_pages_stay_html() {
    let app = TestApp::spawn().await;
    for path in ["/api/nope/", "/api/infographs/x/y/z/", "/api", "/api/"] {
        let r = app.http.get(app.url(path)).send().await.expect("get");
        assert_eq!(r.status(), 404, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap_or_default().starts_with("application/json"), "{path}");
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"], "not_found", "{path}");
    }
    let r = app.http.post(app.url("/api/nope/")).body("{}").send().await.expect("post");
    assert_eq!(r.status(), 404);
    let page = app.http.get(app.url("/no-such-page")).send().await.expect("get");
    assert_eq!(page.status(), 404);
    assert!(page.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/html"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_the_write_handle_can_write() {
    let app = TestApp::spawn().await;
    app.register("door@example.com").await;
    let db = &app.running.state.db;
    let through_reader = sqlx::query("UPDATE users SET credit_balance = 999").execute(db.read()).await;
    assert!(through_reader.is_err(), "the read pool must refuse writes");
    let untouched: i64 = sqlx::query_scalar("SELECT credit_balance FROM users").fetch_one(db.read()).await.expect("read");
    assert_eq!(untouched, 10);
    let writer = db.write().await;
    sqlx::query("UPDATE users SET credit_balance = 11").execute(writer.pool()).await.expect("the writer writes");
    drop(writer);
    let balance: i64 = sqlx::query_scalar("SELECT credit_balance FROM users").fetch_one(db.read()).await.expect("read");
    assert_eq!(balance, 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_webhook_signed_for_another_fal_account_is_refused_and_changes_nothing() {
    // fal's JWKS signs every fal customer's webhooks: a valid signature alone proves nothing
    // about whose job it is. In emulator mode the expected account is the emulator's.
    let app = TestApp::spawn().await;
    let token = app.register("acct@example.com").await;
    let (_, body) = app.create(&token, json!({"prompt": "[emulator:nowebhook] mine"})).await;
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    let rid = app.fal_request_id(&id).await;
    let webhook = json!({"request_id": rid, "status": "ERROR", "error": "forged", "payload": {"detail": "forged"}});
    let (status, answer) = app.post_webhook_as(&id, &rid, &webhook, None, "someone-elses-fal-account").await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["error"], "wrong_account", "{answer}");
    assert!(answer["message"].is_string());
    let s = app.status(&token, &id).await;
    assert_eq!(s["status"], "processing", "{s}");
    assert_eq!(app.balance(&token).await, 9);
    assert_eq!(app.count("SELECT COUNT(*) FROM credit_ledger WHERE infograph_id = $1 AND reason = 'refund'", &id).await, 0);

    // A configured account id is what counts, whatever mode.
    let app = TestApp::spawn_with(|c| c.fal.webhook_user_id = Some("our-account".into())).await;
    let token = app.register("acct2@example.com").await;
    let (_, body) = app.create(&token, json!({"prompt": "[emulator:nowebhook] mine too"})).await;
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    let rid = app.fal_request_id(&id).await;
    let ok = json!({"request_id": rid, "status": "OK", "payload": ok_payload()});
    let (status, _) = app.post_webhook(&id, &rid, &ok, None).await;
    assert_eq!(status, 401, "the emulator's id is not our configured account");
    let (status, answer) = app.post_webhook_as(&id, &rid, &ok, None, "our-account").await;
    assert_eq!((status, answer["changed"].clone()), (200, json!(true)), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn image_urls_that_are_not_https_fail_the_job_and_refund_once() {
    let app = TestApp::spawn().await;
    let token = app.register("xss@example.com").await;
    for (url, scheme) in [
        ("javascript:alert(document.cookie)", "javascript:"),
        ("data:image/svg+xml;base64,PHN2Zy8+", "data:"),
        ("http://fal.media/files/x.png", "http:"),
        ("file:///etc/passwd", "file:"),
    ] {
        let (_, body) = app.create(&token, json!({"prompt": format!("[emulator:nowebhook] {scheme}")})).await;
        let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
        let rid = app.fal_request_id(&id).await;
        let webhook = json!({"request_id": rid, "status": "OK", "payload": {"images": [{"url": url, "width": 8, "height": 8}]}});
        let (status, answer) = app.post_webhook(&id, &rid, &webhook, None).await;
        assert_eq!((status, answer["changed"].clone()), (200, json!(true)), "{answer}");
        let done = app.status(&token, &id).await;
        assert_eq!(done["status"], "failed", "{url}: {done}");
        assert_eq!(done["refunded"], true);
        assert!(done["image_url"].is_null() && done["source_image_url"].is_null(), "{done}");
        let error = done["error"].as_str().expect("error");
        assert!(error.contains("not https") && error.contains(scheme), "{error}");
        let stored: Option<String> = sqlx::query_scalar("SELECT image_url FROM infographs WHERE id = $1")
            .bind(&id)
            .fetch_one(app.running.state.db.read())
            .await
            .expect("row");
        assert_eq!(stored, None, "{url} was stored");
        // Redelivered, it changes nothing: one refund.
        let (status, answer) = app.post_webhook(&id, &rid, &webhook, None).await;
        assert_eq!((status, answer["changed"].clone()), (200, json!(false)), "{answer}");
        assert_eq!(app.count("SELECT COUNT(*) FROM credit_ledger WHERE infograph_id = $1 AND reason = 'refund'", &id).await, 1);
    }
    assert_eq!(app.balance(&token).await, 10);
    app.assert_ledger_matches("xss@example.com", &token).await;
}

/// A server that records the `Authorization` header of every request it gets, whatever the
/// method or path, and answers `{}`.
async fn spawn_recorder() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Option<String>>>>) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let router = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let record = record.clone();
        async move {
            let auth = headers.get("authorization").map(|v| v.to_str().unwrap_or("<binary>").to_string());
            record.lock().expect("lock").push(auth);
            axum::Json(json!({"status": "COMPLETED"}))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_fal_key_is_never_sent_to_urls_outside_the_queues_origin() {
    // A fake fal whose submit answer points status, response and cancel at another server.
    let (elsewhere, seen_elsewhere) = spawn_recorder().await;
    let submits = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Option<String>>::new()));
    let record = submits.clone();
    let foreign = elsewhere.clone();
    let fake_fal = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let (record, foreign) = (record.clone(), foreign.clone());
        async move {
            record.lock().expect("lock").push(headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string));
            axum::Json(json!({
                "request_id": "req-foreign", "status": "IN_QUEUE",
                "status_url": format!("{foreign}/requests/req-foreign/status"),
                "response_url": format!("{foreign}/requests/req-foreign"),
                "cancel_url": format!("{foreign}/requests/req-foreign/cancel"),
            }))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let fal_addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, fake_fal).await;
    });
    let app = TestApp::spawn_with(|c| {
        c.fal.key = Some(app::server::platform::config::Secret::new("fal-secret-key"));
        c.fal.emulator = false;
        c.fal.queue_url = Some(format!("http://{fal_addr}"));
        c.reconcile_after = Duration::from_secs(1);
        c.job_timeout = Duration::from_secs(4);
        c.progress_poll = Duration::from_millis(200);
    })
    .await;
    let token = app.register("key@example.com").await;
    let (status, body) = app.create(&token, json!({"prompt": "where do my URLs go"})).await;
    assert_eq!(status, 201, "{body}");
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.fal_request_id(&id).await, "req-foreign");
    // Cancelling would PUT the foreign cancel URL: refused without sending, reported upstream.
    let r = app.send(Method::POST, &token, &format!("/api/infographs/{id}/cancel/")).await;
    assert_eq!(r.status(), 502);
    // The reconciler and the progress poller refuse the foreign status URL; the hard timeout ends it.
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert!(done["error"].as_str().expect("error").contains("timed out"), "{done}");
    assert_eq!(done["refunded"], true);
    assert_eq!(app.count("SELECT COUNT(*) FROM credit_ledger WHERE infograph_id = $1 AND reason = 'refund'", &id).await, 1);
    assert_eq!(app.balance(&token).await, 10);
    // fal itself got the key; the other server never saw a request at all.
    assert_eq!(submits.lock().expect("lock").as_slice(), &[Some("Key fal-secret-key".to_string())]);
    let seen = seen_elsewhere.lock().expect("lock").clone();
    assert!(seen.is_empty(), "the foreign server was called: {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_proxy_header_whose_last_entry_is_not_an_ip_is_refused_and_counts_nothing() {
    // The proxy appends its own entry last; a client's own entries come before it. When the last
    // one is not an address, the proxy did not write it: walking back to an entry that parses
    // would let the client pick its rate-limit bucket.
    let app = TestApp::spawn_with(|c| c.trusted_proxy_header = Some("x-forwarded-for".into())).await;
    let credentials = json!({"email": "spoof@example.com", "password": "password123"}).to_string();
    let forms = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("email", "spoof@example.com"), ("password", "password123")])
        .finish();
    for headers in [vec!["1.2.3.4, garbage"], vec!["1.2.3.4", "garbage"], vec!["1.2.3.4, "], vec!["1.2.3.4,203.0.113.9:4711"]] {
        for path in ["/api/auth/register/", "/api/auth/token/"] {
            let mut req = app.http.post(app.url(path)).header("content-type", "application/json").body(credentials.clone());
            for value in &headers {
                req = req.header("x-forwarded-for", *value);
            }
            let r = req.send().await.expect("post");
            assert_eq!(r.status(), 400, "{path} {headers:?}");
            let body: Value = r.json().await.expect("json");
            assert_eq!(body["error"], "invalid_input", "{body}");
            assert!(body["fields"]["x-forwarded-for"].is_string(), "{body}");
        }
        let mut req = app.http.post(app.url("/sfn/sign_up")).header("content-type", "application/x-www-form-urlencoded").body(forms.clone());
        for value in &headers {
            req = req.header("x-forwarded-for", *value);
        }
        let r = req.send().await.expect("sign up");
        assert_eq!(r.status(), 400, "sign_up {headers:?}");
        assert!(r.text().await.expect("body").contains("x-forwarded-for"));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = $1", "spoof@example.com").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM rate_buckets WHERE bucket LIKE $1", "auth:%").await, 0, "nothing was counted");

    // The proxy's own entry is the client's address, whatever the client wrote before it.
    let r = app
        .http
        .post(app.url("/api/auth/register/"))
        .header("x-forwarded-for", "garbage, 6.6.6.6")
        .header("x-forwarded-for", "2001:db8:1:2::99")
        .header("content-type", "application/json")
        .body(credentials)
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 201);
    // IPv6 clients are limited per /64: one host can pick any address in its network.
    assert_eq!(app.count("SELECT COUNT(*) FROM rate_buckets WHERE bucket = $1", "auth:2001:db8:1:2::/64").await, 1);
}

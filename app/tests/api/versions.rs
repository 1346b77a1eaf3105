//! Refining an infograph with a sentence: a new version in the same family, made by fal's edit
//! endpoint from a signed URL of our stored copy, charged and refunded like any job.

use crate::helpers::{wait_stored, TestApp, WAIT};
use serde_json::{json, Value};

async fn completed(app: &TestApp, token: &str, prompt: &str) -> String {
    let (status, created) = app.create(token, json!({"prompt": prompt, "aspect_ratio": "16:9", "resolution": "2K"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    wait_stored(app, token, &id).await;
    id
}

async fn refine(app: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    app.post_json(Some(token), &format!("/api/infographs/{id}/refine/"), body.to_string().into()).await
}

/// What the emulator was asked, from its own record of submissions.
async fn submissions(app: &TestApp) -> Vec<Value> {
    let url = format!("{}/fal-emulator/_emulator/submissions", app.base);
    let list = app.running.state.fal.result(&url).await.expect("submissions");
    list["submissions"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refinement_is_a_charged_version_made_by_the_edit_endpoint_from_our_copy() {
    let app = TestApp::spawn().await;
    let token = app.register("refine@example.com").await;
    let original = completed(&app, &token, "Rainfall in Lisbon").await;
    assert_eq!(app.balance(&token).await, 9, "a 2K image costs one credit");
    let (status, created) = refine(&app, &token, &original, json!({"instruction": "Make the title larger and use dark blue"})).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["credits_used"], 1);
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["parent_id"], json!(original));
    assert_eq!(done["family_id"], json!(original));
    assert_eq!(done["instruction"], "Make the title larger and use dark blue");
    assert_eq!(done["aspect_ratio"], "16:9");
    assert_eq!(done["resolution"], "2K");
    let first = app.status(&token, &original).await;
    assert_eq!(first["parent_id"], Value::Null);

    // fal was asked at the edit endpoint, with our stored copy through a signed URL, and polled
    // at the URLs it returned (an app id: no `/edit` in them).
    let rid: String = sqlx::query_scalar("SELECT fal_request_id FROM infographs WHERE id = $1")
        .bind(&id)
        .fetch_one(app.running.state.db.read())
        .await
        .expect("request id");
    let submitted = submissions(&app).await.into_iter().find(|s| s["request_id"] == json!(rid)).expect("submitted");
    assert_eq!(submitted["endpoint"], "fal-ai/nano-banana-pro/edit", "{submitted}");
    let source = submitted["image_urls"][0].as_str().expect("an image url");
    let stored = first["image_url"].as_str().expect("stored url");
    let file = stored.rsplit('/').next().expect("file");
    assert!(source.starts_with(&format!("{}/media/{original}/{file}?expires=", app.base)) && source.contains("&signature="), "{source}");
    assert!(submitted["prompt"].as_str().is_some_and(|p| p.contains("Make the title larger") && p.contains("Rainfall in Lisbon")), "{submitted}");
    let status_url: Option<String> = sqlx::query_scalar("SELECT fal_status_url FROM infographs WHERE id = $1")
        .bind(&id)
        .fetch_one(app.running.state.db.read())
        .await
        .expect("status url");
    assert!(status_url.is_some_and(|u| !u.contains("/edit")));

    // The family, oldest first; both versions' ids name it.
    for any in [&original, &id] {
        let (status, versions) = app.get(&token, &format!("/api/infographs/{any}/versions/")).await;
        assert_eq!(status, 200, "{versions}");
        let ids: Vec<&str> = versions["infographs"].as_array().expect("list").iter().filter_map(|v| v["id"].as_str()).collect();
        assert_eq!(ids, vec![original.as_str(), id.as_str()]);
    }
    app.assert_ledger_matches("refine@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refining_someone_elses_unfinished_or_with_bad_input_charges_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@example.com").await;
    let stranger = app.register("stranger@example.com").await;
    let original = completed(&app, &owner, "Bees").await;
    let (status, failed) = app.create(&owner, json!({"prompt": "[emulator:fail] Doomed"})).await;
    assert_eq!(status, 201);
    let failed = failed["infographs"][0]["id"].as_str().expect("id").to_string();
    app.wait_final(&owner, &failed, WAIT).await;
    let (owner_before, stranger_before) = (app.balance(&owner).await, app.balance(&stranger).await);

    let (status, body) = refine(&app, &stranger, &original, json!({"instruction": "mine now"})).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = refine(&app, &owner, &failed, json!({"instruction": "try again"})).await;
    assert_eq!((status, body["error"].clone()), (409, json!("conflict")), "{body}");
    let (status, body) = app.get(&stranger, &format!("/api/infographs/{original}/versions/")).await;
    assert_eq!(status, 404, "{body}");
    for (body, field) in [
        (json!({}), "instruction"),
        (json!({"instruction": "   "}), "instruction"),
        (json!({"instruction": "x".repeat(2001)}), "instruction"),
        (json!({"instruction": 5}), "instruction"),
        (json!({"instruction": "ok", "number_of_infographs": 5}), "number_of_infographs"),
        (json!({"instruction": "ok", "number_of_infographs": "two"}), "number_of_infographs"),
    ] {
        let (status, answer) = refine(&app, &owner, &original, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["fields"][field].is_string(), "{body} names {field}: {answer}");
    }
    assert_eq!((app.balance(&owner).await, app.balance(&stranger).await), (owner_before, stranger_before));
    let uid = app.user_id("owner@example.com").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM infographs WHERE parent_id IS NOT NULL AND user_id = $1", &uid).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_refinement_refunds_once_and_idempotency_keys_are_honoured() {
    let app = TestApp::spawn().await;
    let token = app.register("undo@example.com").await;
    let original = completed(&app, &token, "Coffee").await;
    let before = app.balance(&token).await;
    let body = json!({"instruction": "[emulator:fail] break it", "number_of_infographs": 2}).to_string();
    let send = || async {
        let r = app
            .http
            .post(app.url(&format!("/api/infographs/{original}/refine/")))
            .header("Authorization", format!("Token {token}"))
            .header("Idempotency-Key", "refine-once")
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .expect("refine");
        let replayed = r.headers().get("idempotent-replayed").is_some();
        (r.status().as_u16(), replayed, r.json::<Value>().await.expect("json"))
    };
    let (first, second) = tokio::join!(send(), send());
    assert_eq!((first.0, second.0), (201, 201));
    assert_eq!(first.2, second.2, "one answer for both");
    assert!(first.1 ^ second.1, "exactly one is the replay");
    assert_eq!(app.balance(&token).await, before - 2);
    for job in first.2["infographs"].as_array().expect("jobs") {
        let done = app.wait_final(&token, job["id"].as_str().expect("id"), WAIT).await;
        assert_eq!((done["status"].clone(), done["refunded"].clone()), (json!("failed"), json!(true)), "{done}");
    }
    assert_eq!(app.balance(&token).await, before);
    app.assert_ledger_matches("undo@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_signed_source_url_opens_its_one_file_for_an_hour() {
    use app::server::delivery::storage::signed_media_url;
    let app = TestApp::spawn().await;
    let token = app.register("signed@example.com").await;
    let id = completed(&app, &token, "Tides").await;
    let status = app.status(&token, &id).await;
    let image = status["image_url"].as_str().expect("image").to_string();
    let thumb = status["thumbnail_url"].as_str().expect("thumb").to_string();
    let file = image.rsplit('/').next().expect("file");
    let thumb_file = thumb.rsplit('/').next().expect("file");
    let signer = &app.running.state.signer;
    let now = app::server::platform::db::now_ms();

    let good = signed_media_url(signer, &app.base, &id, file, now + 3_600_000);
    let r = app.http.get(&good).send().await.expect("get");
    assert_eq!(r.status(), 200, "no credentials needed");
    assert!(r.bytes().await.expect("bytes").starts_with(b"\x89PNG"));
    // The same signature does not open the thumbnail, another job, or after its expiry.
    let other_file = good.replace(&format!("/{file}?"), &format!("/{thumb_file}?"));
    let expired = signed_media_url(signer, &app.base, &id, file, now - 1);
    let stretched = good.replace(&format!("expires={}", now + 3_600_000), &format!("expires={}", now + 7_200_000));
    for url in [other_file, expired, stretched] {
        assert_eq!(app.http.get(&url).send().await.expect("get").status(), 403, "{url}");
    }
    // Without a signature it stays owner-only.
    assert_eq!(app.http.get(&image).send().await.expect("get").status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_source_fal_cannot_download_fails_the_refinement_with_a_refund() {
    let app = TestApp::spawn().await;
    let token = app.register("gone@example.com").await;
    let original = completed(&app, &token, "Volcanoes").await;
    // Our copy is gone (deleted from storage by hand): the signed URL answers 404 to fal.
    let images = app.running.state.config.data_dir().join("images").join("infographs").join(&original);
    std::fs::remove_dir_all(&images).expect("remove the stored files");
    let before = app.balance(&token).await;
    let (status, created) = refine(&app, &token, &original, json!({"instruction": "add a legend"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert!(done["error"].as_str().is_some_and(|e| e.contains("download")), "{done}");
    assert_eq!(app.balance(&token).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_viewer_page_is_the_owners_alone() {
    let app = TestApp::spawn().await;
    let token = app.register("viewer@example.com").await;
    app.register("viewer-stranger@example.com").await;
    let original = completed(&app, &token, "Tides of the Atlantic").await;
    let page = |cookie: Option<String>| {
        let mut request = app.http.get(app.url(&format!("/i/{original}")));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        async move {
            let r = request.send().await.expect("viewer page");
            (r.status().as_u16(), r.text().await.expect("html"))
        }
    };
    let owner = crate::helpers::sign_in_cookie(&app, "viewer@example.com").await;
    let (status, html) = page(Some(owner)).await;
    assert_eq!(status, 200);
    // Server-rendered: the image, its settings and the refine form are in the HTML itself.
    assert!(html.contains("Tides of the Atlantic") && html.contains(&format!("/media/{original}/")), "{html}");
    assert!(html.contains("data-testid=\"refine-form\"") && html.contains("2K"), "{html}");
    let stranger = crate::helpers::sign_in_cookie(&app, "viewer-stranger@example.com").await;
    for cookie in [Some(stranger), None] {
        let (status, html) = page(cookie).await;
        assert_eq!(status, 404);
        assert!(!html.contains("Tides of the Atlantic") && html.contains("Page not found"), "{html}");
    }
    let r = app.http.get(app.url("/i/00000000-0000-4000-8000-000000000000")).send().await.expect("unknown");
    assert_eq!(r.status().as_u16(), 404, "an unknown id too");
}

//! Editable words: "make the text editable" (fal's layerize-text, emulated: it knows the boxes it
//! drew), the layers, a text edit saved as a new version, and the SVG, PDF and PNG made from it
//! with the edited words in them as text.

use crate::helpers::{wait_layers, TestApp};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

fn outline() -> Value {
    json!({
        "title": "Urban bees by the numbers",
        "layout": "list",
        "sections": [
            {"heading": "Pollination matters", "line": "Bees pollinate most of the crops we eat.", "figure": "75 %"},
            {"heading": "City hives", "line": "Rooftop hives grew fast in ten years.", "figure": "1200 hives"}
        ]
    })
}

async fn completed(app: &TestApp, token: &str, body: Value) -> String {
    let (status, created) = app.create(token, body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.wait_final(token, &id, WAIT).await["status"], "completed");
    id
}


async fn download(app: &TestApp, token: &str, id: &str, format: &str) -> (u16, String, Vec<u8>) {
    let r = app.send(reqwest::Method::GET, token, &format!("/api/infographs/{id}/download/?format={format}")).await;
    let status = r.status().as_u16();
    let kind = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (status, kind, r.bytes().await.expect("bytes").to_vec())
}

/// The text of an SVG as a reader gets it: the markup (and the embedded background) left out,
/// entities read, a box's lines joined by spaces.
fn svg_text(svg: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in svg.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Makes a completed picture's text editable and waits for the layered version.
async fn layered(app: &TestApp, token: &str, source: &str) -> (String, Value) {
    let (status, created) = app.post_json(Some(token), &format!("/api/infographs/{source}/layers/"), "".into()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let done = app.wait_final(token, &id, WAIT).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["kind"], "layers", "{done}");
    let layers = wait_layers(app, token, &id).await;
    (id, layers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_picture_becomes_editable_text_and_an_edit_exports_as_text() {
    let app = TestApp::spawn().await;
    let token = app.register("layers@example.com").await;
    let source = completed(&app, &token, json!({"prompt": "Bees", "outline": outline()})).await;
    assert_eq!(app.status(&token, &source).await["kind"], "generated");
    let balance = app.balance(&token).await;
    let (id, layers) = layered(&app, &token, &source).await;
    assert_eq!(app.balance(&token).await, balance - 1, "LAYERS_CREDITS, 1 by default");
    let boxes = layers["boxes"].as_array().expect("boxes").clone();
    let texts: Vec<&str> = boxes.iter().filter_map(|b| b["text"].as_str()).collect();
    assert!(texts.contains(&"Urban bees by the numbers") && texts.contains(&"Pollination matters"), "{texts:?}");
    let (width, height) = (layers["width"].as_f64().expect("w"), layers["height"].as_f64().expect("h"));
    for b in &boxes {
        let (x, y, w, h) = (b["x"].as_f64().expect("x"), b["y"].as_f64().expect("y"), b["w"].as_f64().expect("w"), b["h"].as_f64().expect("h"));
        assert!(x >= 0.0 && y >= 0.0 && x + w <= width + 0.5 && y + h <= height + 0.5, "{b}");
    }
    // The background is served to its owner only.
    let background = layers["background_url"].as_str().expect("url");
    let r = app.send(reqwest::Method::GET, &token, background).await;
    assert_eq!(r.status(), 200, "{background}");

    // Edit a word: a new version, free, completed at once.
    let mut edited = boxes.clone();
    let title = edited.iter_mut().find(|b| b["text"] == "Urban bees by the numbers").expect("title box");
    title["text"] = json!("Honey bees & <friends> in Zürich");
    let balance = app.balance(&token).await;
    let (status, created) = app.post_json(Some(&token), &format!("/api/infographs/{id}/text-edit/"), json!({"boxes": edited}).to_string().into()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["credits_used"], 0);
    assert_eq!(app.balance(&token).await, balance, "a text edit is free");
    let edit = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let version = app.status(&token, &edit).await;
    assert_eq!((version["status"].as_str(), version["kind"].as_str()), (Some("completed"), Some("text_edit")), "{version}");
    assert!(version["image_url"].as_str().is_some_and(|u| u.contains("/media/")), "our rendering is its stored image: {version}");
    // The owner's words are what they chose: the edit is proofread against them, not flagged.
    let deadline = Instant::now() + WAIT;
    loop {
        let (_, read) = app.get(&token, &format!("/api/infographs/{edit}/proofread/")).await;
        if read["status"] == "done" {
            assert_eq!(read["problems"], json!([]), "{read}");
            break;
        }
        assert!(Instant::now() < deadline, "{read}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // SVG: well-formed, the edited words as escaped text.
    let (status, kind, svg) = download(&app, &token, &edit, "svg").await;
    assert_eq!((status, kind.as_str()), (200, "image/svg+xml"));
    let svg = String::from_utf8(svg).expect("utf-8");
    assert!(svg.contains("&lt;friends&gt;") && !svg.contains("<friends>"), "escaped");
    let words = svg_text(&svg);
    assert!(words.contains("Honey bees & <friends> in Zürich"), "{words}");
    assert!(!words.contains("Urban bees by the numbers"), "the old title is gone: {words}");
    // PDF: the edited words are text in it.
    let (status, kind, pdf) = download(&app, &token, &edit, "pdf").await;
    assert_eq!((status, kind.as_str()), (200, "application/pdf"));
    let text = pdf_extract::extract_text_from_mem(&pdf).expect("pdf text");
    // The extractor spaces glyphs as it places them: compared without spaces.
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(compact.contains("Honeybees&<friends>inZürich"), "{text}");
    assert!(!compact.contains("Urbanbeesbythenumbers"), "the old title is gone: {text}");
    // PNG/JPEG/WebP as today: our rendering.
    for format in ["png", "jpg", "webp"] {
        let (status, _, bytes) = download(&app, &token, &edit, format).await;
        assert_eq!(status, 200, "{format}");
        assert!(image::load_from_memory(&bytes).is_ok(), "{format}");
    }
    // A picture without layers has no SVG.
    let (status, _, _) = download(&app, &token, &source, "svg").await;
    assert_eq!(status, 409);
    app.assert_ledger_matches("layers@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_boxes_are_named_and_change_nothing_and_strangers_get_404() {
    let app = TestApp::spawn().await;
    let token = app.register("boxes@example.com").await;
    let other = app.register("stranger@example.com").await;
    let source = completed(&app, &token, json!({"prompt": "Bees", "outline": outline()})).await;
    let (status, body) = app.post_json(Some(&token), &format!("/api/infographs/{source}/text-edit/"), json!({"boxes": []}).to_string().into()).await;
    assert_eq!(status, 409, "not layered: {body}");
    let (id, layers) = layered(&app, &token, &source).await;
    let mut bad = layers["boxes"].as_array().expect("boxes").clone();
    bad[0]["x"] = json!(1e9);
    bad[0]["color"] = json!("red");
    bad[0]["font"] = json!("Comic Sans");
    bad[0]["text"] = json!("x".repeat(501));
    let versions = |body: Value| body["count"].as_u64();
    let before = versions(app.get(&token, &format!("/api/infographs/{id}/versions/")).await.1);
    let (status, body) = app.post_json(Some(&token), &format!("/api/infographs/{id}/text-edit/"), json!({"boxes": bad}).to_string().into()).await;
    assert_eq!(status, 400, "{body}");
    for field in ["boxes[0].x", "boxes[0].color", "boxes[0].font", "boxes[0].text"] {
        assert!(body["fields"][field].is_string(), "{field}: {body}");
    }
    let (status, body) = app.post_json(Some(&token), &format!("/api/infographs/{id}/text-edit/"), json!({"boxes": "nope"}).to_string().into()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(versions(app.get(&token, &format!("/api/infographs/{id}/versions/")).await.1), before, "nothing written");
    // Another user's: 404 on every route, nothing charged.
    let balance = app.balance(&other).await;
    for (status, _) in [
        app.get(&other, &format!("/api/infographs/{id}/layers/")).await,
        app.post_json(Some(&other), &format!("/api/infographs/{source}/layers/"), "".into()).await,
        app.post_json(Some(&other), &format!("/api/infographs/{id}/text-edit/"), json!({"boxes": []}).to_string().into()).await,
    ] {
        assert_eq!(status, 404);
    }
    assert_eq!(download(&app, &other, &id, "svg").await.0, 404);
    assert_eq!(app.balance(&other).await, balance);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_layering_is_refunded_once() {
    let app = TestApp::spawn().await;
    let token = app.register("refund@example.com").await;
    let source = completed(&app, &token, json!({"prompt": "Bees", "outline": outline()})).await;
    // The emulator reads only its own pictures: a source whose URL it cannot read fails at fal.
    sqlx::query("UPDATE infographs SET source_image_url = 'https://example.com/elsewhere.png', image_url = 'https://example.com/elsewhere.png' WHERE id = $1")
        .bind(&source)
        .execute(app.running.state.db.write().await.pool())
        .await
        .expect("point elsewhere");
    let balance = app.balance(&token).await;
    let (status, created) = app.post_json(Some(&token), &format!("/api/infographs/{source}/layers/"), "".into()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!((done["status"].as_str(), done["refunded"].as_bool()), (Some("failed"), Some(true)), "{done}");
    assert_eq!(app.balance(&token).await, balance);
    app.assert_ledger_matches("refund@example.com", &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_layered_typo_is_fixed_by_editing_its_boxes_for_free() {
    let app = TestApp::spawn().await;
    let token = app.register("boxfix@example.com").await;
    let source = completed(&app, &token, json!({"prompt": "Bees [emulator:typo]", "outline": outline()})).await;
    let (id, _) = layered(&app, &token, &source).await;
    let deadline = Instant::now() + WAIT;
    let found = loop {
        let (_, body) = app.get(&token, &format!("/api/infographs/{id}/proofread/")).await;
        if body["status"] == "done" {
            break body;
        }
        assert!(Instant::now() < deadline, "{body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(found["problems"].as_array().is_some_and(|p| !p.is_empty()), "the layers carry the typo: {found}");
    let balance = app.balance(&token).await;
    let (status, created) = app.post_json(Some(&token), &format!("/api/infographs/{id}/proofread/fix/"), "".into()).await;
    assert_eq!(status, 201, "{created}");
    let fixed = created["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.status(&token, &fixed).await["kind"], "text_edit", "fixed by editing, not by the model");
    assert_eq!(app.balance(&token).await, balance);
    let deadline = Instant::now() + WAIT;
    loop {
        let (_, body) = app.get(&token, &format!("/api/infographs/{fixed}/proofread/")).await;
        if body["status"] == "done" {
            assert_eq!(body["problems"], json!([]), "{body}");
            break;
        }
        assert!(Instant::now() < deadline, "{body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

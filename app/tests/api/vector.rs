//! Vector output: a vector model's picture is stored and served as a sanitised SVG (nothing that
//! runs, nothing fetched from elsewhere), with PNG renditions for galleries and downloads.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

async fn vector_picture(app: &TestApp, token: &str, prompt: &str) -> Value {
    let (status, created) = app.create(token, json!({"prompt": prompt, "model": "recraft-v4.1-vector", "aspect_ratio": "1:1"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let done = app.wait_final(token, &id, WAIT).await;
    assert_eq!(done["status"], "completed", "{done}");
    wait_stored(app, token, &id).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hostile_svg_is_stored_and_served_harmless() {
    let app = TestApp::spawn().await;
    let token = app.register("vector@example.com").await;
    let picture = vector_picture(&app, &token, "[emulator:hostile-svg] Owls of Europe").await;
    let id = picture["id"].as_str().expect("id").to_string();
    let image = picture["image_url"].as_str().expect("image");
    assert!(image.ends_with(".svg"), "{picture}");
    assert!(picture["thumbnail_url"].as_str().is_some_and(|t| !t.ends_with(".svg")), "a raster thumbnail: {picture}");

    let served = app.http.get(image).header("Authorization", format!("Token {token}")).send().await.expect("svg");
    assert_eq!(served.status(), 200);
    let header = |name: &str| served.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert_eq!(header("content-type"), "image/svg+xml");
    assert!(header("content-security-policy").contains("default-src 'none'"), "{}", header("content-security-policy"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    let svg = served.text().await.expect("body").to_ascii_lowercase();
    assert!(svg.contains("<svg"), "{svg}");
    for hostile in ["<script", "onload", "onclick", "javascript:", "foreignobject", "http://", "https://"] {
        // The SVG namespace URI is the one absolute URL a clean SVG keeps.
        let found = svg.replace("http://www.w3.org/2000/svg", "").replace("http://www.w3.org/1999/xlink", "").contains(hostile);
        assert!(!found, "{hostile} survived in {svg}");
    }

    // Downloads: the SVG itself, as asked or by default; a PNG rendition on request.
    for query in ["", "?format=svg"] {
        let r = app.send(Method::GET, &token, &format!("/api/infographs/{id}/download/{query}")).await;
        assert_eq!(r.status(), 200, "{query}");
        assert_eq!(r.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/svg+xml"), "{query}");
        assert!(r.headers().get("content-disposition").and_then(|v| v.to_str().ok()).is_some_and(|d| d.ends_with(".svg\"")));
    }
    let png = app.send(Method::GET, &token, &format!("/api/infographs/{id}/download/?format=png")).await;
    assert_eq!(png.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/png"));
    let bytes = png.bytes().await.expect("png");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG rendition");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_vector_picture_is_refined_from_its_png_and_is_not_layered() {
    let app = TestApp::spawn().await;
    let token = app.register("vector-refine@example.com").await;
    let picture = vector_picture(&app, &token, "Bees of Europe").await;
    let id = picture["id"].as_str().expect("id").to_string();
    let (status, refined) = app
        .post_json(Some(&token), &format!("/api/infographs/{id}/refine/"), json!({"instruction": "Warmer colours", "model": "nano-banana-pro"}).to_string().into())
        .await;
    assert_eq!(status, 201, "{refined}");
    let new = refined["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.wait_final(&token, &new, WAIT).await["status"], "completed");
    let url = format!("{}/fal-emulator/_emulator/submissions", app.base);
    let list = app.running.state.fal.result(&url).await.expect("submissions");
    let asked = list["submissions"].as_array().expect("list").iter().find(|s| s["webhook"].as_str().is_some_and(|w| w.ends_with(&format!("/webhook/{new}/")))).cloned().expect("submitted");
    let source = asked["input"]["image_urls"][0].as_str().expect("source");
    assert!(source.contains(".png"), "edited from the PNG rendition: {source}");

    let (status, answer) = app.post_json(Some(&token), &format!("/api/infographs/{id}/layers/"), "".into()).await;
    assert_eq!(status, 409, "{answer}");
    assert!(answer["message"].as_str().unwrap_or_default().contains("SVG"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn before_its_copy_is_stored_a_vector_picture_downloads_sanitised_too() {
    let app = TestApp::spawn().await;
    // Copies cannot be written: every download is served from fal's file.
    let images = app.running.state.config.data_dir().join("images");
    std::fs::remove_dir_all(&images).expect("remove images");
    std::fs::write(&images, b"not a folder").expect("block the store");
    let token = app.register("vector-early@example.com").await;
    let (status, created) = app.create(&token, json!({"prompt": "[emulator:hostile-svg] Moths", "model": "recraft-v4.1-vector"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.wait_final(&token, &id, WAIT).await["status"], "completed");
    let svg = app.send(Method::GET, &token, &format!("/api/infographs/{id}/download/")).await;
    assert_eq!(svg.status(), 200);
    assert_eq!(svg.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/svg+xml"));
    let text = svg.text().await.expect("svg").to_ascii_lowercase();
    assert!(text.contains("<svg") && !text.contains("<script") && !text.contains("onload"), "{text}");
    let png = app.send(Method::GET, &token, &format!("/api/infographs/{id}/download/?format=png")).await;
    assert_eq!(png.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/png"));
    assert!(png.bytes().await.expect("png").starts_with(b"\x89PNG"));
    // Another format or a width is made from that PNG, as for any picture.
    let jpeg = app.send(Method::GET, &token, &format!("/api/infographs/{id}/download/?format=jpg&width=600")).await;
    assert_eq!(jpeg.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("image/jpeg"));
    let small = image::load_from_memory(&jpeg.bytes().await.expect("jpeg")).expect("decodes");
    assert_eq!(small.width(), 600, "a true width");
}

//! Publishing: share links, their public page and picture, revocation, alt text, downloads in
//! other formats and widths. Runs on SQLite and PostgreSQL like every test here.

use crate::helpers::{wait_stored, TestApp, WAIT};
use serde_json::{json, Value};

/// A finished, stored infograph of a new user: (token, id, status JSON).
async fn stored_infograph(app: &TestApp, email: &str, prompt: &str) -> (String, String, Value) {
    let token = app.register(email).await;
    let (status, created) = app.create(&token, json!({"prompt": prompt, "aspect_ratio": "16:9"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.wait_final(&token, &id, WAIT).await["status"], "completed");
    let stored = wait_stored(app, &token, &id).await;
    (token, id, stored)
}

async fn share(app: &TestApp, token: &str, id: &str, body: &str) -> (u16, Value) {
    app.post_json(Some(token), &format!("/api/infographs/{id}/share/"), body.to_string().into()).await
}

async fn unshare(app: &TestApp, token: &str, id: &str) -> u16 {
    let r = app.http.delete(app.url(&format!("/api/infographs/{id}/share/"))).header("Authorization", format!("Token {token}")).send().await.expect("delete");
    r.status().as_u16()
}

/// A GET with no credentials at all, as a stranger's browser or a link unfurler makes it.
async fn anonymous(app: &TestApp, url: &str) -> reqwest::Response {
    app.http.get(url).send().await.expect("get")
}

/// The `content` of `<meta property|name="key">`.
fn meta<'a>(html: &'a str, key: &str) -> Option<&'a str> {
    ["property", "name"].iter().find_map(|kind| {
        let start = html.find(&format!("<meta {kind}=\"{key}\" content=\""))? + format!("<meta {kind}=\"{key}\" content=\"").len();
        html[start..].split('"').next()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shared_infograph_has_a_public_page_and_picture_with_link_previews() {
    let app = TestApp::spawn().await;
    let (token, id, stored) = stored_infograph(&app, "owner@example.com", "Tides of the Atlantic").await;
    assert_eq!(stored["share_url"], Value::Null, "not shared by default");
    assert_eq!(stored["alt_text"], "Infographic: Tides of the Atlantic.");

    let (status, link) = share(&app, &token, &id, "").await;
    assert_eq!(status, 201, "{link}");
    let url = link["url"].as_str().expect("url").to_string();
    let secret = link["token"].as_str().expect("token").to_string();
    assert_eq!(url, format!("{}/s/{secret}", app.base));
    assert!(secret.len() >= 22, "at least 128 bits: {secret}");
    assert!(link["created_at"].as_str().is_some_and(|t| t.contains('T')), "{link}");
    // Idempotent: the same live link.
    let (status, again) = share(&app, &token, &id, "").await;
    assert_eq!((status, again["token"].as_str()), (201, Some(secret.as_str())));
    assert_eq!(app.status(&token, &id).await["share_url"], url.as_str());
    let (_, list) = app.get(&token, "/api/infographs/").await;
    assert_eq!(list["infographs"][0]["share_url"], url.as_str());

    // The page: no credentials needed, the picture full size, the tags that unfold the link.
    let page = anonymous(&app, &url).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["x-robots-tag"], "noindex");
    let html = page.text().await.expect("html");
    assert!(html.contains("Tides of the Atlantic") && html.contains("Made with"), "{html}");
    assert_eq!(meta(&html, "og:title"), Some("Tides of the Atlantic"));
    assert_eq!(meta(&html, "og:description"), Some("Infographic: Tides of the Atlantic."));
    assert_eq!(meta(&html, "og:url"), Some(url.as_str()));
    assert_eq!(meta(&html, "twitter:card"), Some("summary_large_image"));
    assert_eq!(meta(&html, "robots"), Some("noindex"));
    let og_image = meta(&html, "og:image").expect("og:image").to_string();
    assert!(og_image.starts_with(&format!("{}/s/{secret}/", app.base)) && og_image.ends_with("-w1200.jpg"), "absolute: {og_image}");
    // The emulator draws 1024 × 576: the preview is never upscaled, and says its true size.
    assert_eq!((meta(&html, "og:image:width"), meta(&html, "og:image:height")), (Some("1024"), Some("576")));
    assert_eq!(meta(&html, "og:image:alt"), Some("Infographic: Tides of the Atlantic."));
    let preview = anonymous(&app, &og_image).await;
    assert_eq!(preview.status(), 200);
    assert_eq!(preview.headers()["content-type"], "image/jpeg");
    assert!(preview.headers()["cache-control"].to_str().expect("ascii").starts_with("public, max-age="));
    let img = image::load_from_memory(&preview.bytes().await.expect("bytes")).expect("a JPEG");
    assert_eq!((img.width(), img.height()), (1024, 576));
    // The full picture, as stored, from the link.
    let image_url = link["image_url"].as_str().expect("image url");
    let full = anonymous(&app, image_url).await;
    assert_eq!((full.status().as_u16(), full.headers()["content-type"].to_str().expect("ascii")), (200, "image/png"));
    assert!(html.contains(&image_url.replace(&app.base, "")), "the page shows the picture");

    // Nothing of the owner's: no email, no brief, no credits, no other infograph, no script.
    let (status, _) = app.create(&token, json!({"prompt": "A private second one"})).await;
    assert_eq!(status, 201);
    let html = anonymous(&app, &url).await.text().await.expect("html");
    for private in ["owner@example.com", "Format: one infograph", "credit", "A private second one", "/media/", &id] {
        assert!(!html.contains(private), "the page leaks {private:?}");
    }
    assert!(!html.contains("<script"), "no script on the share page");
    // Each opening counts.
    let (_, owner_view) = share(&app, &token, &id, "").await;
    assert_eq!(owner_view["views"], 2, "{owner_view}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revoked_link_is_gone_for_the_page_and_the_picture() {
    let app = TestApp::spawn().await;
    let (token, id, _) = stored_infograph(&app, "owner@example.com", "Revoke me").await;
    let (_, link) = share(&app, &token, &id, "").await;
    let url = link["url"].as_str().expect("url").to_string();
    let image = link["image_url"].as_str().expect("image").to_string();
    assert_eq!(anonymous(&app, &image).await.status(), 200);

    assert_eq!(unshare(&app, &token, &id).await, 204);
    let gone = anonymous(&app, &url).await;
    assert_eq!(gone.status(), 410);
    assert!(gone.text().await.expect("html").contains("turned off"));
    assert_eq!(anonymous(&app, &image).await.status(), 410);
    assert_eq!(app.status(&token, &id).await["share_url"], Value::Null);
    assert_eq!(unshare(&app, &token, &id).await, 204, "turning off twice is fine");

    // Sharing again makes a new link; the old one stays gone.
    let (status, fresh) = share(&app, &token, &id, "").await;
    assert_eq!(status, 201);
    assert_ne!(fresh["token"], link["token"]);
    assert_eq!(anonymous(&app, &url).await.status(), 410);
    assert_eq!(anonymous(&app, fresh["url"].as_str().expect("url")).await.status(), 200);

    // Deleting the infograph ends its link too.
    let r = app.http.delete(app.url(&format!("/api/infographs/{id}/"))).header("Authorization", format!("Token {token}")).send().await.expect("delete");
    assert_eq!(r.status(), 204);
    assert_eq!(anonymous(&app, fresh["url"].as_str().expect("url")).await.status(), 410);
    assert_eq!(anonymous(&app, fresh["image_url"].as_str().expect("image")).await.status(), 410);
    // A token that never existed is simply not found.
    assert_eq!(anonymous(&app, &app.url("/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).await.status(), 404);
    assert_eq!(anonymous(&app, &app.url("/s/x")).await.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn strangers_cannot_share_revoke_or_see_the_link() {
    let app = TestApp::spawn().await;
    let (token, id, _) = stored_infograph(&app, "owner@example.com", "Mine").await;
    let stranger = app.register("stranger@example.com").await;
    let (status, body) = share(&app, &stranger, &id, "").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM shares WHERE infograph_id = $1", &id).await, 0, "nothing created");
    let (_, link) = share(&app, &token, &id, "").await;
    assert_eq!(unshare(&app, &stranger, &id).await, 404);
    assert_eq!(anonymous(&app, link["url"].as_str().expect("url")).await.status(), 200, "still live");
    let (status, seen) = app.get(&stranger, &format!("/api/infographs/status/{id}/")).await;
    assert_eq!(status, 404);
    assert!(!seen.to_string().contains(link["token"].as_str().expect("token")));
    let (status, list) = app.get(&stranger, "/api/infographs/").await;
    assert_eq!((status, list["count"].as_i64()), (200, Some(0)));
    // Without credentials: 401, nothing created.
    let (status, _) = app.post_json(None, &format!("/api/infographs/{id}/share/"), "".into()).await;
    assert_eq!(status, 401);
    assert_eq!(app.count("SELECT COUNT(*) FROM shares WHERE infograph_id = $1", &id).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_finished_infographs_are_shared_and_bad_bodies_are_named() {
    let app = TestApp::spawn().await;
    let token = app.register("owner@example.com").await;
    let (_, created) = app.create(&token, json!({"prompt": "[emulator:slow] not yet"})).await;
    let running = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let (status, body) = share(&app, &token, &running, "").await;
    assert_eq!(status, 409, "{body}");
    let (owner, id, _) = stored_infograph(&app, "other@example.com", "Done").await;
    for (body, field) in [("[1]", "body"), ("{\"indexable\": \"yes\"}", "indexable"), ("{\"public\": true}", "public")] {
        let (status, answer) = share(&app, &owner, &id, body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["fields"].get(field).is_some(), "{body}: {answer}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM shares WHERE infograph_id = $1", &id).await, 0);
    // Indexing is the owner's choice.
    let (_, link) = share(&app, &owner, &id, "{\"indexable\": true}").await;
    assert_eq!(link["indexable"], true);
    let page = anonymous(&app, link["url"].as_str().expect("url")).await;
    assert!(page.headers().get("x-robots-tag").is_none());
    assert!(!page.text().await.expect("html").contains("noindex"));
    let (_, link) = share(&app, &owner, &id, "{\"indexable\": false}").await;
    assert_eq!(link["indexable"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn alt_text_is_the_owners_to_edit_and_used_on_the_page() {
    let app = TestApp::spawn().await;
    let (token, id, _) = stored_infograph(&app, "owner@example.com", "Bees").await;
    let patch = |token: String, body: &'static str| {
        let req = app.http.patch(app.url(&format!("/api/infographs/{id}/"))).header("Authorization", format!("Token {token}")).header("content-type", "application/json").body(body);
        async move {
            let r = req.send().await.expect("patch");
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, body) = patch(token.clone(), r#"{"alt_text": "  A bee dancing the waggle dance, with distances in km.  "}"#).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["alt_text"], "A bee dancing the waggle dance, with distances in km.");
    let (_, link) = share(&app, &token, &id, "").await;
    let html = anonymous(&app, link["url"].as_str().expect("url")).await.text().await.expect("html");
    assert_eq!(meta(&html, "og:image:alt"), Some("A bee dancing the waggle dance, with distances in km."));
    for (body, field) in [
        (r#"{"alt_text": ""}"#, "alt_text"),
        (r#"{"alt_text": 3}"#, "alt_text"),
        (r#"{"alt_text": "two\nlines"}"#, "alt_text"),
        (r#"{"prompt": "x", "alt_text": "fine"}"#, "prompt"),
        (r#"{}"#, "alt_text"),
    ] {
        let (status, answer) = patch(token.clone(), body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["fields"].get(field).is_some(), "{body}: {answer}");
    }
    let long = format!("{{\"alt_text\": \"{}\"}}", "a".repeat(1001));
    let r = app.http.patch(app.url(&format!("/api/infographs/{id}/"))).header("Authorization", format!("Token {token}")).body(long).send().await.expect("patch");
    assert_eq!(r.status(), 400);
    assert_eq!(app.status(&token, &id).await["alt_text"], "A bee dancing the waggle dance, with distances in km.", "bad input changed nothing");
    let stranger = app.register("stranger@example.com").await;
    assert_eq!(patch(stranger, r#"{"alt_text": "mine now"}"#).await.0, 404);
    // null goes back to the words written from the brief.
    let (status, body) = patch(token, r#"{"alt_text": null}"#).await;
    assert_eq!((status, body["alt_text"].as_str()), (200, Some("Infographic: Bees.")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn downloads_come_in_three_formats_and_three_widths() {
    let app = TestApp::spawn().await;
    let (token, id, _) = stored_infograph(&app, "owner@example.com", "Rain in Lisbon").await;
    let get = |query: &str| app.http.get(app.url(&format!("/api/infographs/{id}/download/{query}"))).header("Authorization", format!("Token {token}")).send();
    for (query, content_type, size, name_end) in [
        ("", "image/png", (1024, 576), ".png"),
        ("?format=jpg", "image/jpeg", (1024, 576), ".jpg"),
        ("?format=webp&width=600", "image/webp", (600, 337), "-600px.webp"),
        ("?format=jpeg&width=1200", "image/jpeg", (1024, 576), "-1200px.jpg"),
        ("?format=png&width=full", "image/png", (1024, 576), ".png"),
    ] {
        let r = get(query).await.expect("download");
        assert_eq!(r.status(), 200, "{query}");
        assert_eq!(r.headers()["content-type"], content_type, "{query}");
        let disposition = r.headers()["content-disposition"].to_str().expect("ascii").to_string();
        assert!(disposition.starts_with("attachment; filename=\"infograph-rain-in-lisbon-") && disposition.ends_with(&format!("{name_end}\"")), "{query}: {disposition}");
        let img = image::load_from_memory(&r.bytes().await.expect("bytes")).expect("an image");
        assert_eq!((img.width(), img.height()), size, "{query}");
    }
    // SVG and PDF are formats of a version with editable text, which has one size.
    for (query, field) in [("?format=gif", "format"), ("?width=700", "width"), ("?format=bmp&width=1", "format"), ("?format=svg&width=1", "width")] {
        let r = get(query).await.expect("download");
        assert_eq!(r.status(), 400, "{query}");
        let body: Value = r.json().await.expect("json");
        assert!(body["fields"].get(field).is_some(), "{query}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_share_page_offers_renditions_no_wider_than_the_picture() {
    let app = TestApp::spawn().await;
    // 1:1 at 1K: a 1024 px picture, narrower than the page's 1050 px column.
    let token = app.register("square@example.com").await;
    let (status, created) = app.create(&token, json!({"prompt": "Tides", "aspect_ratio": "1:1"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.wait_final(&token, &id, WAIT).await["status"], "completed");
    wait_stored(&app, &token, &id).await;
    let (_, link) = share(&app, &token, &id, "").await;
    let page_url = link["url"].as_str().expect("url").to_string();
    let html = anonymous(&app, &page_url).await.text().await.expect("html");
    let srcset = html.split("<source srcset=\"").nth(1).and_then(|s| s.split('"').next()).expect("a srcset").to_string();
    let widths: Vec<u32> = srcset.split(", ").map(|c| c.rsplit(' ').next().and_then(|w| w.trim_end_matches('w').parse().ok()).expect("a width")).collect();
    assert_eq!(widths, vec![600, 700, 800, 1024], "{srcset}");
    for candidate in srcset.split(", ") {
        let url = candidate.split(' ').next().expect("url");
        let r = anonymous(&app, &app.url(url)).await;
        assert_eq!(r.status(), 200, "{url}");
        let img = image::load_from_memory(&r.bytes().await.expect("bytes")).expect("an image");
        assert!(img.width() <= 1024, "{url} is {} wide", img.width());
    }
    assert!(html.contains("width=\"1024\""), "the picture's own width");
    assert!(html.contains("sizes=\"(max-width: 1100px) min(calc(100vw - 34px), 1024px), min(1050px, 1024px)\""), "shown no wider than it is: {html}");
}

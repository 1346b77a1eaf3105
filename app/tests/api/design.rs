//! Plan before you pay, and keep it on brand: outlines from a blog or pasted text (heuristic, or a
//! language model through fal's `openrouter/router`, emulated), an edited outline reaching fal,
//! brand kits (colours, font mood, tone, logo) and layout, style and language in the prompt fal
//! receives, a logo sending `image_urls` to the edit endpoint, and strangers' kits not existing.

use crate::helpers::{TestApp, WAIT};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

const ARTICLE: &str = r#"<html><head><title>Remote work in numbers | Work Blog</title></head><body><article>
<h1>Remote work in numbers</h1>
<p>Five years on, remote work has settled into a new normal for office workers.</p>
<h2>Who works from home</h2><p>In 2024, 58 % of office workers worked from home at least once a week. Most were parents.</p>
<h2>Commutes</h2><p>The average commute took 54 minutes a day before. Hybrid workers saved 2 hours a week.</p>
<h2>Offices</h2><p>1 in 3 desks stood empty on a Friday. Landlords cut rents by 12 % in city centres.</p>
<h2>What comes next</h2><p>Companies now plan for fewer, better offices, used for meetings rather than for work alone.</p>
</article></body></html>"#;

async fn blog() -> (String, std::net::SocketAddr) {
    let router = Router::new()
        .route("/remote-work", get(|| async { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], ARTICLE).into_response() }))
        .route("/missing", get(|| async { axum::http::StatusCode::NOT_FOUND.into_response() }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}"), addr)
}

async fn outline(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.post_json(Some(token), "/api/outlines/", body.to_string().into()).await
}

/// What the emulator was asked for job `id`.
async fn submitted(app: &TestApp, id: &str) -> Value {
    let rid = app.fal_request_id(id).await;
    let url = format!("{}/fal-emulator/_emulator/submissions", app.base);
    let list = app.running.state.fal.result(&url).await.expect("submissions");
    list["submissions"].as_array().and_then(|all| all.iter().find(|s| s["request_id"] == json!(rid)).cloned()).expect("submitted")
}

async fn send(app: &TestApp, method: reqwest::Method, token: &str, path: &str, body: Option<reqwest::Body>) -> (u16, Value) {
    let mut request = app.http.request(method, app.url(path)).header("Authorization", format!("Token {token}"));
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body);
    }
    let r = request.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(w, h, image::Rgb([20, 80, 200])).write_to(&mut out, image::ImageFormat::Png).expect("png");
    out.into_inner()
}

async fn put_logo(app: &TestApp, token: &str, kit: &str, bytes: Vec<u8>) -> (u16, Value) {
    let r = app
        .http
        .put(app.url(&format!("/api/brand-kits/{kit}/logo/")))
        .header("Authorization", format!("Token {token}"))
        .header("content-type", "image/png")
        .body(bytes)
        .send()
        .await
        .expect("put");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_outline_of_a_blog_post_has_its_sections_and_figures_and_costs_nothing() {
    let (site, addr) = blog().await;
    let app = TestApp::spawn_with(move |c| c.fetch_allow = vec![addr]).await;
    let token = app.register("planner@example.com").await;
    let (status, o) = outline(&app, &token, json!({"prompt": "Remote work for HR people", "blog_url": format!("{site}/remote-work")})).await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["title"], "Remote work in numbers");
    assert_eq!(o["made_by"], "heuristic");
    let sections = o["sections"].as_array().expect("sections");
    assert!((3..=8).contains(&sections.len()), "{o}");
    let headings: Vec<&str> = sections.iter().filter_map(|s| s["heading"].as_str()).collect();
    assert_eq!(headings, ["Who works from home", "Commutes", "Offices", "What comes next"]);
    let figures: Vec<&str> = sections.iter().filter_map(|s| s["figure"].as_str()).collect();
    assert_eq!(figures, ["58 %", "54 minutes", "1 in 3 desks"], "the article's figures, with their units");
    assert!(sections[0]["source"].as_str().is_some_and(|s| s.contains("58 % of office workers")), "{o}");
    assert_eq!(o["layout"], "statistics");
    assert_eq!(app.balance(&token).await, 10, "outlines are free");

    // From pasted text too; bad requests are named.
    let text = "Tea or coffee\nIn 2022 people drank 3 cups of tea a day. Coffee came second with 2 cups.\nTea has 40 mg of caffeine a cup. Coffee has 95 mg.\nBoth are mostly water, 99 % of the cup.";
    let (status, o) = outline(&app, &token, json!({"prompt": "Tea vs coffee", "source_text": text, "layout": "comparison"})).await;
    assert_eq!(status, 200, "{o}");
    assert_eq!((o["title"].as_str(), o["layout"].as_str()), (Some("Tea or coffee"), Some("comparison")));
    // The text says what to show: the prompt is optional guidance.
    let (status, o) = outline(&app, &token, json!({"source_text": text})).await;
    assert_eq!((status, o["title"].as_str()), (200, Some("Tea or coffee")), "{o}");
    for (body, field) in [
        (json!({"prompt": "x"}), "blog_url"),
        (json!({"prompt": "x", "source_text": "Too short."}), "source_text"),
        (json!({"prompt": "x", "source_text": "a ".repeat(25_001)}), "source_text"),
        (json!({"prompt": "p".repeat(4001), "source_text": text}), "prompt"),
        (json!({"prompt": "x", "source_text": text, "layout": "spiral"}), "layout"),
        (json!({"prompt": "x", "source_text": text, "language": "xx"}), "language"),
        (json!({"prompt": "x", "blog_url": format!("{site}/missing")}), "blog_url"),
        (json!({"prompt": "x", "blog_url": "http://10.0.0.1/post"}), "blog_url"),
    ] {
        let (status, answer) = outline(&app, &token, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["fields"].get(field).is_some(), "{body}: {answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_language_model_on_fal_writes_the_outline_and_the_heuristic_stands_in_when_it_fails() {
    let (site, addr) = blog().await;
    let app = TestApp::spawn_with(move |c| {
        c.fetch_allow = vec![addr];
        c.outline_model = Some("google/gemini-2.5-flash".into());
    })
    .await;
    let token = app.register("planner@example.com").await;
    let (status, o) = outline(&app, &token, json!({"prompt": "Remote work", "blog_url": format!("{site}/remote-work"), "language": "de"})).await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["made_by"], "model", "{o}");
    assert!(o["sections"].as_array().is_some_and(|s| s.iter().any(|s| s["figure"] == "54 minutes")), "{o}");
    // The model was asked through the queue, at the LLM endpoint, with the model named.
    let url = format!("{}/fal-emulator/_emulator/submissions", app.base);
    let list = app.running.state.fal.result(&url).await.expect("submissions");
    let asked = list["submissions"].as_array().and_then(|all| all.iter().find(|s| s["endpoint"] == "openrouter/router").cloned()).expect("asked");
    assert!(asked["prompt"].as_str().is_some_and(|p| p.contains("German") && p.contains("Remote work in numbers")), "{asked}");
    // An answer that is not an outline: the heuristic one, not an error.
    let (status, o) = outline(&app, &token, json!({"prompt": "[emulator:badjson] Remote work", "blog_url": format!("{site}/remote-work")})).await;
    assert_eq!((status, o["made_by"].as_str()), (200, Some("heuristic")), "{o}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_edited_outline_is_what_reaches_fal_and_the_blog_is_not_read_again() {
    let (site, addr) = blog().await;
    let app = TestApp::spawn_with(move |c| c.fetch_allow = vec![addr]).await;
    let token = app.register("editor@example.com").await;
    let edited = json!({
        "title": "Working from home, by the numbers",
        "subtitle": "Five years on",
        "sections": [
            {"heading": "Offices empty on Fridays", "line": "A third of desks unused", "figure": "1 in 3"},
            {"heading": "Time saved", "line": "Two hours a week", "figure": "2 h"},
        ],
        "layout": "statistics",
    });
    // A blog URL that would fail if it were read: the outline replaces it.
    let (status, created) = app.create(&token, json!({"prompt": "Remote work", "blog_url": format!("{site}/missing"), "outline": edited})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!(done["status"], "completed", "{done}");
    let prompt = submitted(&app, &id).await["prompt"].as_str().expect("prompt").to_string();
    assert!(prompt.contains("Title: Working from home, by the numbers") && prompt.contains("Subtitle: Five years on"), "{prompt}");
    assert!(prompt.contains("- Offices empty on Fridays: A third of desks unused (key figure: 1 in 3)\n- Time saved: Two hours a week (key figure: 2 h)"), "{prompt}");
    assert!(prompt.contains("Layout: statistics"), "the outline's layout: {prompt}");
    assert_eq!(done["alt_text"], "Infographic: Working from home, by the numbers. It covers Offices empty on Fridays and Time saved.");
    // A bad outline is named, and charges nothing.
    for (outline, field) in [
        (json!({"title": "", "sections": [{"heading": "a"}]}), "outline.title"),
        (json!({"title": "t", "sections": []}), "outline.sections"),
        (json!({"title": "t", "sections": [{"heading": "h".repeat(81)}]}), "outline.sections[0].heading"),
        (json!("just text"), "outline"),
        (json!({"title": "t"}), "outline"),
    ] {
        let (status, answer) = app.create(&token, json!({"prompt": "x", "outline": outline})).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer["fields"].get(field).is_some(), "{field}: {answer}");
    }
    assert_eq!(app.balance(&token).await, 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_brand_layout_style_and_language_are_in_the_prompt_and_kept_by_regenerate() {
    let app = TestApp::spawn().await;
    let token = app.register("brand@example.com").await;
    let (status, kit) = send(&app, reqwest::Method::POST, &token, "/api/brand-kits/",
        Some(json!({"name": "Acme", "colors": ["#1d4ed8", "#F59E0B"], "font_mood": "classic_serif", "tone": "warm, plain words", "is_default": true}).to_string().into())).await;
    assert_eq!(status, 201, "{kit}");
    assert_eq!(kit["colors"], json!(["#1D4ED8", "#F59E0B"]));
    let kit_id = kit["id"].as_str().expect("id").to_string();
    let (status, created) = app.create(&token, json!({"prompt": "Our product launch", "brand_kit_id": kit_id, "layout": "timeline", "style": "isometric", "language": "de"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!((done["layout"].as_str(), done["style"].as_str(), done["language"].as_str(), done["brand_kit_id"].as_str()),
        (Some("timeline"), Some("isometric"), Some("de"), Some(kit_id.as_str())));
    let asked = submitted(&app, &id).await;
    let prompt = asked["prompt"].as_str().expect("prompt");
    for expected in ["#1D4ED8, #F59E0B", "classic serif typeface", "tone: warm, plain words", "Layout: a timeline", "Style: isometric 3D", "German (de)"] {
        assert!(prompt.contains(expected), "{expected:?} in {prompt}");
    }
    assert_eq!(asked["endpoint"], "fal-ai/nano-banana-pro", "no logo: no edit");
    // Right-to-left languages say so.
    let (_, rtl) = app.create(&token, json!({"prompt": "Launch", "language": "he"})).await;
    let rtl_id = rtl["infographs"][0]["id"].as_str().expect("id").to_string();
    assert!(submitted(&app, &rtl_id).await["prompt"].as_str().is_some_and(|p| p.contains("Hebrew is written right to left")));
    // Regenerate keeps every choice, and the kit's look even after the kit changed.
    let (status, _) = send(&app, reqwest::Method::PATCH, &token, &format!("/api/brand-kits/{kit_id}/"), Some(json!({"colors": ["#000000"]}).to_string().into())).await;
    assert_eq!(status, 200);
    let (status, again) = app.post_json(Some(&token), &format!("/api/infographs/{id}/regenerate/"), "".into()).await;
    assert_eq!(status, 201, "{again}");
    let again_id = again["infographs"][0]["id"].as_str().expect("id").to_string();
    let regenerated = app.status(&token, &again_id).await;
    assert_eq!((regenerated["layout"].as_str(), regenerated["style"].as_str(), regenerated["language"].as_str()), (Some("timeline"), Some("isometric"), Some("de")));
    assert!(submitted(&app, &again_id).await["prompt"].as_str().is_some_and(|p| p.contains("#1D4ED8, #F59E0B")));
    // Bad choices are named and charge nothing.
    for (body, field) in [(json!({"prompt": "x", "layout": "spiral"}), "layout"), (json!({"prompt": "x", "style": "baroque"}), "style"), (json!({"prompt": "x", "language": "klingon"}), "language")] {
        let (status, answer) = app.create(&token, body).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer["fields"].get(field).is_some(), "{answer}");
    }
    assert_eq!(app.balance(&token).await, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kits_logo_goes_to_the_edit_endpoint_through_a_signed_url() {
    let app = TestApp::spawn().await;
    let token = app.register("logo@example.com").await;
    let (_, kit) = send(&app, reqwest::Method::POST, &token, "/api/brand-kits/", Some(json!({"name": "Acme", "colors": ["#1D4ED8"]}).to_string().into())).await;
    let kit_id = kit["id"].as_str().expect("id").to_string();
    let (status, with_logo) = put_logo(&app, &token, &kit_id, png(2000, 1000)).await;
    assert_eq!(status, 200, "{with_logo}");
    let logo_url = with_logo["logo_url"].as_str().expect("logo url").to_string();
    // Re-encoded: a PNG we made, at most 1024 px; owner only.
    let r = app.http.get(&logo_url).header("Authorization", format!("Token {token}")).send().await.expect("logo");
    assert_eq!(r.status(), 200);
    let stored = image::load_from_memory(&r.bytes().await.expect("bytes")).expect("png");
    assert_eq!((stored.width(), stored.height()), (1024, 512));
    assert_eq!(app.http.get(&logo_url).send().await.expect("anonymous").status(), 401);
    let stranger = app.register("stranger@example.com").await;
    assert_eq!(app.http.get(&logo_url).header("Authorization", format!("Token {stranger}")).send().await.expect("stranger").status(), 404);

    let (status, created) = app.create(&token, json!({"prompt": "Acme's year", "brand_kit_id": kit_id})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let done = app.wait_final(&token, &id, WAIT).await;
    assert_eq!(done["status"], "completed", "the emulator fetched the logo: {done}");
    let asked = submitted(&app, &id).await;
    assert_eq!(asked["endpoint"], "fal-ai/nano-banana-pro/edit", "{asked}");
    let sent = asked["image_urls"][0].as_str().expect("image url");
    let file = logo_url.rsplit('/').next().expect("file");
    assert!(sent.starts_with(&format!("{}/brand-logos/{kit_id}/{file}?expires=", app.base)) && sent.contains("&signature="), "{sent}");
    assert!(asked["prompt"].as_str().is_some_and(|p| p.contains("Place the brand logo")), "{asked}");
    // The signed URL opens that one file without credentials; tampered, it does not.
    assert_eq!(app.http.get(sent).send().await.expect("signed").status(), 200);
    assert_eq!(app.http.get(sent.replace("signature=", "signature=0")).send().await.expect("tampered").status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_strangers_kit_does_not_exist_and_charges_nothing() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice@example.com").await;
    let bob = app.register("bob@example.com").await;
    let (_, kit) = send(&app, reqwest::Method::POST, &alice, "/api/brand-kits/", Some(json!({"name": "Alice", "colors": ["#112233"]}).to_string().into())).await;
    let kit_id = kit["id"].as_str().expect("id").to_string();
    let (status, body) = app.create(&bob, json!({"prompt": "Borrowed brand", "brand_kit_id": kit_id})).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(app.balance(&bob).await, 10, "nothing charged");
    let bob_id = app.user_id("bob@example.com").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM infographs WHERE user_id = $1", &bob_id).await, 0);
    let path = format!("/api/brand-kits/{kit_id}/");
    assert_eq!(send(&app, reqwest::Method::GET, &bob, &path, None).await.0, 404);
    assert_eq!(send(&app, reqwest::Method::PATCH, &bob, &path, Some(json!({"name": "Mine"}).to_string().into())).await.0, 404);
    assert_eq!(send(&app, reqwest::Method::DELETE, &bob, &path, None).await.0, 404);
    assert_eq!(put_logo(&app, &bob, &kit_id, png(10, 10)).await.0, 404);
    let (_, list) = send(&app, reqwest::Method::GET, &bob, "/api/brand-kits/", None).await;
    assert_eq!(list["count"], 0);
    let (_, mine) = send(&app, reqwest::Method::GET, &alice, &path, None).await;
    assert_eq!(mine["name"], "Alice", "untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_colours_oversize_logos_and_non_images_are_named() {
    let app = TestApp::spawn().await;
    let token = app.register("kits@example.com").await;
    for (body, field) in [
        (json!({"name": "A", "colors": ["#123456", "blue"]}), "colors[1]"),
        (json!({"name": "A", "colors": ["#12345"]}), "colors[0]"),
        (json!({"name": "A", "colors": []}), "colors"),
        (json!({"name": "A", "colors": ["#111111", "#222222", "#333333", "#444444", "#555555", "#666666", "#777777"]}), "colors"),
        (json!({"name": "A", "colors": "#111111"}), "colors"),
        (json!({"colors": ["#111111"]}), "name"),
        (json!({"name": "A", "colors": ["#111111"], "font_mood": "gothic"}), "font_mood"),
        (json!({"name": "A", "colors": ["#111111"], "tone": "t".repeat(201)}), "tone"),
        (json!({"name": "A", "colors": ["#111111"], "owner": "me"}), "owner"),
    ] {
        let (status, answer) = send(&app, reqwest::Method::POST, &token, "/api/brand-kits/", Some(body.to_string().into())).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["fields"].get(field).is_some(), "{field}: {answer}");
    }
    let (_, kit) = send(&app, reqwest::Method::POST, &token, "/api/brand-kits/", Some(json!({"name": "A", "colors": ["#111111"]}).to_string().into())).await;
    let kit_id = kit["id"].as_str().expect("id").to_string();
    let mut big = png(10, 10);
    big.resize(2 * 1024 * 1024 + 1, 0);
    for bytes in [big, vec![0u8; 3 * 1024 * 1024], b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(), b"hello".to_vec(), Vec::new()] {
        let (status, answer) = put_logo(&app, &token, &kit_id, bytes).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer["fields"].get("logo").is_some(), "{answer}");
    }
    let (_, unchanged) = send(&app, reqwest::Method::GET, &token, &format!("/api/brand-kits/{kit_id}/"), None).await;
    assert_eq!(unchanged["logo_url"], Value::Null, "nothing stored");
    // One default at most: a second default takes over.
    let (_, first) = send(&app, reqwest::Method::POST, &token, "/api/brand-kits/", Some(json!({"name": "B", "colors": ["#111111"], "is_default": true}).to_string().into())).await;
    let (_, second) = send(&app, reqwest::Method::POST, &token, "/api/brand-kits/", Some(json!({"name": "C", "colors": ["#111111"], "is_default": true}).to_string().into())).await;
    let (_, list) = send(&app, reqwest::Method::GET, &token, "/api/brand-kits/", None).await;
    let defaults: Vec<&str> = list["kits"].as_array().expect("kits").iter().filter(|k| k["is_default"] == true).filter_map(|k| k["id"].as_str()).collect();
    assert_eq!(defaults, [second["id"].as_str().expect("id")], "{first} {list}");
}

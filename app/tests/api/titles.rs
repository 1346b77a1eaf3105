//! An infographic's name and the words around it: the outline's (or the article's) title names
//! it everywhere, a prompt alone gets a short name, versions keep their family's name and alt
//! text, renaming names the family; a source makes the prompt optional; a blog whose host does
//! not resolve is refused before any charge; hostile text stays text on every page.

use super::blog::fixture_site;
use super::helpers::*;
use serde_json::{json, Value};

const LONG_PROMPT: &str = "An infographic for my blog post on urban beekeeping: the key numbers, the risks and what to plant";

fn outline(title: &str) -> Value {
    json!({"title": title, "sections": [{"heading": "Hives", "line": "7,000 hives in the city", "figure": "7,000 hives"}]})
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> String {
    let r = app.http.get(app.url(path)).header("cookie", cookie).send().await.expect("page");
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.expect("html")
}

async fn patch(app: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    let r = app
        .http
        .patch(app.url(&format!("/api/infographs/{id}/")))
        .header("Authorization", format!("Token {token}"))
        .json(&body)
        .send()
        .await
        .expect("patch");
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn completed(app: &TestApp, token: &str, body: Value) -> String {
    let (status, created) = app.create(token, body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.wait_final(token, &id, WAIT).await["status"], "completed");
    id
}

fn meta<'a>(html: &'a str, key: &str) -> Option<&'a str> {
    ["property", "name"].iter().find_map(|kind| {
        let open = format!("<meta {kind}=\"{key}\" content=\"");
        let start = html.find(&open)? + open.len();
        html[start..].split('"').next()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_outline_title_names_the_infographic_everywhere() {
    let app = TestApp::spawn().await;
    let token = app.register("titles@example.com").await;
    let id = completed(&app, &token, json!({"prompt": LONG_PROMPT, "outline": outline("Urban bees by the numbers"), "aspect_ratio": "16:9"})).await;
    let stored = wait_stored(&app, &token, &id).await;
    assert_eq!(stored["title"], "Urban bees by the numbers");
    assert_eq!(stored["prompt"], LONG_PROMPT, "the prompt is still what was asked");
    let (_, list) = app.get(&token, "/api/infographs/").await;
    assert_eq!(list["infographs"][0]["title"], "Urban bees by the numbers");

    // The brief names the picture first; the prompt is a labelled request, not its first line.
    let built: String = sqlx::query_scalar("SELECT built_prompt FROM infographs WHERE id = $1").bind(&id).fetch_one(app.running.state.db.read()).await.expect("brief");
    assert!(built.starts_with("Title: Urban bees by the numbers\n"), "{built}");
    assert!(built.contains(&format!("{} {LONG_PROMPT}", app::server::blog::brief::REQUEST_LABEL)), "{built}");

    let cookie = sign_in_cookie(&app, "titles@example.com").await;
    let home = page(&app, "/", &cookie).await;
    assert!(home.contains(">Urban bees by the numbers</p>"), "the card's caption");
    let viewer = page(&app, &format!("/i/{id}"), &cookie).await;
    assert!(viewer.contains("class=\"viewer-title\">Urban bees by the numbers</h1>"), "the viewer's heading");
    assert!(viewer.contains("<title>Urban bees by the numbers — Infograph</title>"), "the tab's title");

    let (status, link) = app.post_json(Some(&token), &format!("/api/infographs/{id}/share/"), "".into()).await;
    assert_eq!(status, 201, "{link}");
    let shared = app.http.get(link["url"].as_str().expect("url")).send().await.expect("share page").text().await.expect("html");
    assert!(shared.contains(">Urban bees by the numbers</h1>"), "{shared}");
    for key in ["og:title", "twitter:title"] {
        assert_eq!(meta(&shared, key), Some("Urban bees by the numbers"), "{key}");
    }
    assert!(!shared.contains("An infographic for my blog post"), "the prompt is not the picture's name");
    // The embed snippet's caption (the viewer's share panel).
    let viewer = page(&app, &format!("/i/{id}"), &cookie).await;
    assert!(viewer.contains("&lt;figcaption&gt;Urban bees by the numbers — made with"), "{viewer}");

    let r = app.http.get(app.url(&format!("/api/infographs/{id}/download/"))).header("Authorization", format!("Token {token}")).send().await.expect("download");
    let disposition = r.headers()["content-disposition"].to_str().expect("ascii").to_string();
    assert!(disposition.starts_with("attachment; filename=\"infograph-urban-bees-by-the-numbers-"), "{disposition}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_blog_post_names_the_infographic_with_its_article_title() {
    let (site, addr) = fixture_site().await;
    let app = TestApp::spawn_with(|c| c.fetch_allow = vec![addr]).await;
    let token = app.register("reader@example.com").await;
    // The post alone says what to show: no prompt needed.
    let id = completed(&app, &token, json!({"blog_url": format!("{site}/post")})).await;
    assert_eq!(app.status(&token, &id).await["title"], "Why Bees Dance");
    assert_eq!(app.balance(&token).await, 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn versions_keep_the_family_name_and_alt_text_and_renaming_names_the_family() {
    let app = TestApp::spawn().await;
    let token = app.register("family@example.com").await;
    let original = completed(&app, &token, json!({"prompt": LONG_PROMPT})).await;
    assert_eq!(app.status(&token, &original).await["title"], "Urban beekeeping", "a short name written from the prompt");
    let (status, _) = patch(&app, &token, &original, json!({"alt_text": "Bees over a city roof, with hive counts."})).await;
    assert_eq!(status, 200);

    let (status, refined) = app.post_json(Some(&token), &format!("/api/infographs/{original}/refine/"), json!({"instruction": "use dark blue"}).to_string().into()).await;
    assert_eq!(status, 201, "{refined}");
    let version = refined["infographs"][0]["id"].as_str().expect("id").to_string();
    let done = app.wait_final(&token, &version, WAIT).await;
    assert_eq!(done["title"], "Urban beekeeping", "a version keeps its family's name");
    assert_eq!(done["alt_text"], "Bees over a city roof, with hive counts.", "and its alt text");

    let (status, renamed) = patch(&app, &token, &version, json!({"title": "  Bees on the   roof "})).await;
    assert_eq!((status, renamed["title"].as_str()), (200, Some("Bees on the roof")), "{renamed}");
    assert_eq!(app.status(&token, &original).await["title"], "Bees on the roof", "every version takes the new name");

    for (body, field) in [
        (json!({"title": ""}), "title"),
        (json!({"title": "two\nlines"}), "title"),
        (json!({"title": 7}), "title"),
        (json!({"title": "t".repeat(121)}), "title"),
        (json!({"title": "fine", "prompt": "no"}), "prompt"),
    ] {
        let (status, answer) = patch(&app, &token, &original, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["fields"].get(field).is_some(), "{body}: {answer}");
    }
    assert_eq!(app.status(&token, &original).await["title"], "Bees on the roof", "bad input changed nothing");
    let stranger = app.register("stranger@example.com").await;
    assert_eq!(patch(&app, &stranger, &original, json!({"title": "Mine"})).await.0, 404);
    assert_eq!(app.status(&token, &original).await["title"], "Bees on the roof");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_source_makes_the_prompt_optional_and_nothing_at_all_is_a_sentence() {
    let app = TestApp::spawn().await;
    let token = app.register("sources@example.com").await;
    let id = completed(&app, &token, json!({"outline": outline("Only an outline")})).await;
    assert_eq!(app.status(&token, &id).await["title"], "Only an outline");
    let (status, body) = app.create(&token, json!({"aspect_ratio": "16:9"})).await;
    assert_eq!(status, 400, "{body}");
    let message = body["fields"]["prompt"].as_str().expect("names the prompt");
    assert!(message.starts_with(char::is_uppercase) && message.ends_with('.') && message.contains("blog post"), "a whole sentence: {message}");
    assert_eq!(app.balance(&token).await, 9, "nothing charged for the refusal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_blog_whose_host_does_not_resolve_is_refused_before_any_charge() {
    let app = TestApp::spawn().await;
    let token = app.register("dns@example.com").await;
    // `.invalid` never resolves (RFC 6761): asked of DNS, not fetched.
    let (status, body) = app.create(&token, json!({"prompt": "Bees", "blog_url": "https://no-such-host.invalid/post"})).await;
    assert_eq!(status, 400, "{body}");
    let message = body["fields"]["blog_url"].as_str().expect("names blog_url");
    assert!(message.contains("no-such-host.invalid") && message.contains("paste"), "{message}");
    assert_eq!(app.balance(&token).await, 10, "nothing charged");
    let (_, list) = app.get(&token, "/api/infographs/").await;
    assert_eq!(list["count"], 0, "no job written");
    // With an outline the post is not read, so its host is not asked about.
    let (status, body) = app.create(&token, json!({"blog_url": "https://no-such-host.invalid/post", "outline": outline("Bees")})).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn every_api_error_is_json_even_a_wrong_method() {
    let app = TestApp::spawn().await;
    let token = app.register("methods@example.com").await;
    let r = app.http.post(app.url("/api/infographs/")).header("Authorization", format!("Token {token}")).body("{}").send().await.expect("post");
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET");
    let body: Value = r.json().await.expect("a JSON body");
    assert_eq!(body["error"], "method_not_allowed");
    assert!(body["message"].as_str().expect("message").contains("/api/infographs/create/"), "{body}");
    let r = app.http.put(app.url("/api/infographs/create/")).send().await.expect("put");
    assert_eq!(r.status(), 405);
    assert!(r.json::<Value>().await.expect("JSON")["message"].as_str().is_some_and(|m| m.contains("POST")));
}

#[tokio::test]
async fn the_api_page_is_styled_by_the_bundle_and_shows_curl_examples() {
    let site = tempfile::tempdir().expect("site");
    std::fs::create_dir_all(site.path().join("pkg/0123abcd")).expect("pkg");
    std::fs::write(site.path().join("pkg/stem.txt"), "0123abcd/infograph\n").expect("stem");
    std::fs::write(site.path().join("pkg/0123abcd/infograph.css"), "body { margin: 0 }").expect("css");
    let root = site.path().display().to_string();
    let app = TestApp::spawn_with(|c| c.site_root = root).await;
    let html = app.http.get(app.url("/api/docs/")).send().await.expect("docs").text().await.expect("html");
    let href = html.split("rel=\"stylesheet\" href=\"").nth(1).and_then(|s| s.split('"').next()).expect("a stylesheet");
    let css = app.http.get(app.url(href)).send().await.expect("css");
    assert_eq!(css.status(), 200, "{href} is served");
    assert!(!html.contains('`'), "code spans are rendered, not shown as backticks");
    assert!(html.contains("curl -X POST &quot;$INFOGRAPH_URL/api/infographs/create/&quot;"), "a curl example per route");
}

/// Text that closes a textarea, injects a redirect and a script-bearing image if rendered raw.
const HOSTILE: &str = "Tea </textarea><img src=x onerror=alert(1)><meta http-equiv=\"refresh\" content=\"5;url=https://evil.example/\"> \"'&";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_titles_alt_text_and_prompts_stay_text_on_every_page() {
    let app = TestApp::spawn().await;
    let token = app.register("hostile@example.com").await;
    let hostile_line = HOSTILE.replace('\n', " ");
    let id = completed(&app, &token, json!({"prompt": format!("{hostile_line} <script>alert(2)</script>"), "outline": outline("Bees </title><script>alert(3)</script>")})).await;
    wait_stored(&app, &token, &id).await;
    let (status, link) = app.post_json(Some(&token), &format!("/api/infographs/{id}/share/"), "".into()).await;
    assert_eq!(status, 201);
    let share_url = link["url"].as_str().expect("url").to_string();
    let cookie = sign_in_cookie(&app, "hostile@example.com").await;
    // Named by its hostile outline title first, then renamed and described by hostile words.
    let mut pages = vec![
        ("viewer, outline title", page(&app, &format!("/i/{id}"), &cookie).await),
        ("share page, outline title", app.http.get(&share_url).send().await.expect("share").text().await.expect("html")),
    ];
    assert!(pages[0].1.contains("Bees &lt;/title&gt;&lt;script&gt;"), "the outline's title is shown, as text");
    let (status, _) = patch(&app, &token, &id, json!({"alt_text": hostile_line, "title": "Bees </textarea><meta http-equiv=\"refresh\" content=\"0\">"})).await;
    assert_eq!(status, 200);
    pages.extend([
        ("viewer", page(&app, &format!("/i/{id}"), &cookie).await),
        ("gallery", page(&app, "/", &cookie).await),
        ("share page", app.http.get(&share_url).send().await.expect("share").text().await.expect("html")),
    ]);
    for (name, html) in &pages {
        for injected in ["<img src=x", "<meta http-equiv=\"refresh\"", "<script>alert", "Tea </textarea>", "Bees </textarea>", "</title><script"] {
            assert!(!html.contains(injected), "{name} carries live markup {injected:?}");
        }
    }
    let viewer = &pages[2].1;
    // The embed snippet shows the escaped snippet as text: escaped once for the snippet, once
    // for the textarea.
    assert!(viewer.contains("&amp;lt;/textarea&amp;gt;"), "the HTML snippet is shown as text: {viewer}");
}

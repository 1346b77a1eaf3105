//! The landing page's pictures: shared infographics an admin features (admins only, from our own
//! pages, only live links to finished pictures), gone as soon as the link is revoked or the
//! picture deleted; the examples, files of the repository, fill the places left. Nothing on the
//! page comes from the fal emulator.

use crate::helpers::{form, sign_in_cookie, wait_stored, TestApp, PASSWORD, WAIT};
use app::model::showcase::EXAMPLES;
use serde_json::{json, Value};

/// A server whose site is the repository's `public/`: the example files as the build ships them.
async fn spawn() -> TestApp {
    TestApp::spawn_with(|c| c.site_root = concat!(env!("CARGO_MANIFEST_DIR"), "/../public").to_string()).await
}

/// A finished, stored infograph of `token`'s owner titled from `prompt`: its id.
async fn stored(app: &TestApp, token: &str, prompt: &str) -> String {
    let (status, created) = app.create(token, json!({"prompt": prompt, "aspect_ratio": "16:9"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.wait_final(token, &id, WAIT).await["status"], "completed");
    wait_stored(app, token, &id).await;
    id
}

/// Shares it: the link's path, `/s/<token>`.
async fn share(app: &TestApp, token: &str, id: &str) -> String {
    let (status, link) = app.post_json(Some(token), &format!("/api/infographs/{id}/share/"), "".into()).await;
    assert_eq!(status, 201, "{link}");
    format!("/s/{}", link["token"].as_str().expect("token"))
}

/// An admin's browser session.
async fn admin(app: &TestApp) -> String {
    app::server::accounts::users::register(&app.running.state.db, "boss@example.com", PASSWORD, 0, true).await.expect("admin");
    sign_in_cookie(app, "boss@example.com").await
}

/// A server function called as our own page calls it (or as `origin` when given): status, body.
async fn call(app: &TestApp, cookie: Option<&str>, function: &str, id: &str, origin: Option<&str>) -> (u16, Value) {
    let mut request = app
        .http
        .post(app.url(&format!("/sfn/{function}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", origin.unwrap_or(&app.base))
        .body(form(&[("id", id)]));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let r = request.send().await.expect("server function");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn feature(app: &TestApp, cookie: &str, id: &str) -> (u16, Value) {
    call(app, Some(cookie), "admin_feature", id, None).await
}

/// The landing page as a visitor gets it.
async fn landing(app: &TestApp) -> String {
    let r = app.http.get(app.url("/")).send().await.expect("landing");
    assert_eq!(r.status(), 200);
    r.text().await.expect("html")
}

/// The pictures the landing page shows, in order: the `<li>` of each.
fn pictures(html: &str) -> Vec<&str> {
    let list = html.split("data-testid=\"examples\"").nth(1).and_then(|rest| rest.split("</ul>").next()).expect("the list");
    list.split("<li ").skip(1).collect()
}

/// The `src` of every image on the page.
fn image_sources(html: &str) -> Vec<String> {
    html.split("<img ").skip(1).filter_map(|tag| tag.split("src=\"").nth(1)?.split('"').next().map(str::to_string)).collect()
}

/// Featured infographics first (`featured`: their share pages, in order), examples after.
fn assert_shows(html: &str, featured: &[&str]) {
    let shown = pictures(html);
    assert_eq!(shown.len(), 3, "three pictures: {html}");
    for (item, page) in shown.iter().zip(featured) {
        assert!(item.starts_with("data-testid=\"featured\"") && item.contains(&format!("href=\"{page}\"")), "{page} expected: {item}");
    }
    for (item, example) in shown[featured.len()..].iter().zip(EXAMPLES.iter()) {
        assert!(item.starts_with("data-testid=\"example\"") && item.contains(&example.url("jpg")), "{} expected: {item}", example.slug);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_admin_features_a_share_and_the_examples_fill_the_rest() {
    let app = spawn().await;
    let owner = app.register("owner@example.com").await;
    let id = stored(&app, &owner, "Tides of the Atlantic").await;
    let page = share(&app, &owner, &id).await;
    let boss = admin(&app).await;
    assert_shows(&landing(&app).await, &[]);

    let (status, body) = feature(&app, &boss, &id).await;
    assert_eq!(status, 200, "{body}");
    let html = landing(&app).await;
    assert_shows(&html, &[&page]);
    let item = pictures(&html)[0];
    assert!(item.contains(">Tides of the Atlantic</a>"), "its title links to its share page: {item}");
    assert!(item.contains("alt=\"Infographic: Tides of the Atlantic.\""), "{item}");
    assert!(item.contains(&format!("src=\"{page}/")) && item.contains("fetchpriority=\"high\""), "{item}");
    // Every picture is a file anyone may fetch: the share's picture and the examples' files.
    for src in image_sources(&html) {
        let r = app.http.get(app.url(&src)).send().await.expect("picture");
        assert_eq!(r.status(), 200, "{src}");
        let kind = r.headers()["content-type"].to_str().expect("ascii").to_string();
        assert!(kind.starts_with("image/"), "{src}: {kind}");
        if src.starts_with("/examples/") {
            assert_eq!(kind, "image/jpeg", "{src}");
            assert_eq!(r.headers()["cache-control"], "public, max-age=86400", "{src}");
        }
    }
    // Nothing drawn for the page or served by the emulator: only the share's files and ours.
    assert!(image_sources(&html).iter().all(|src| src.starts_with(&format!("{page}/")) || src.starts_with("/examples/")), "{html}");
    assert!(!html.contains("emulator"), "{html}");

    // Featured again: nothing changes. The dashboard says it is on the page.
    assert_eq!(feature(&app, &boss, &id).await.0, 200);
    assert_shows(&landing(&app).await, &[&page]);
    let (status, shares) = call(&app, Some(&boss), "admin_shares", "", None).await;
    assert_eq!(status, 200, "{shares}");
    assert_eq!(shares[0]["page_url"], page.as_str(), "{shares}");
    assert_eq!((shares[0]["on_landing"].as_bool(), shares[0]["featurable"].as_bool()), (Some(true), Some(true)), "{shares}");

    let (status, body) = call(&app, Some(&boss), "admin_unfeature", &id, None).await;
    assert_eq!(status, 200, "{body}");
    assert_shows(&landing(&app).await, &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_three_newest_featured_are_shown_newest_first() {
    let app = spawn().await;
    let owner = app.register("owner@example.com").await;
    let boss = admin(&app).await;
    let mut pages = Vec::new();
    for prompt in ["Tides", "Glaciers", "Deltas", "Fjords"] {
        let id = stored(&app, &owner, prompt).await;
        pages.push(share(&app, &owner, &id).await);
        assert_eq!(feature(&app, &boss, &id).await.0, 200);
    }
    assert_shows(&landing(&app).await, &[&pages[3], &pages[2], &pages[1]]);
    let (_, shares) = call(&app, Some(&boss), "admin_shares", "", None).await;
    let listed: Vec<(&str, bool)> = shares.as_array().expect("list").iter().map(|s| (s["page_url"].as_str().unwrap_or(""), s["on_landing"] == true)).collect();
    assert_eq!(listed, [(pages[3].as_str(), true), (pages[2].as_str(), true), (pages[1].as_str(), true), (pages[0].as_str(), false)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_admins_feature_and_only_from_our_pages() {
    let app = spawn().await;
    let owner = app.register("owner@example.com").await;
    let id = stored(&app, &owner, "Tides of the Atlantic").await;
    share(&app, &owner, &id).await;
    let boss = admin(&app).await;
    let plain = sign_in_cookie(&app, "owner@example.com").await;

    for function in ["admin_feature", "admin_unfeature", "admin_shares"] {
        let (status, body) = call(&app, Some(&plain), function, &id, None).await;
        assert_eq!(status, 404, "{function} as a non-admin: {body}");
        assert_eq!(body, json!("NotFound"), "as for a page that does not exist");
        assert_eq!(call(&app, None, function, &id, None).await.0, 404, "{function} signed out");
    }
    let (status, body) = call(&app, Some(&boss), "admin_feature", &id, Some("https://evil.example")).await;
    assert_eq!(status, 403, "cross-site: {body}");
    assert!(body.to_string().contains("cross-site requests are refused"), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM shares WHERE featured_at IS NOT NULL AND infograph_id = $1", &id).await, 0);
    assert_shows(&landing(&app).await, &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revoked_link_or_a_deleted_picture_leaves_the_landing_page_at_once() {
    let app = spawn().await;
    let owner = app.register("owner@example.com").await;
    let boss = admin(&app).await;
    let revoked = stored(&app, &owner, "Tides").await;
    let deleted = stored(&app, &owner, "Glaciers").await;
    let revoked_page = share(&app, &owner, &revoked).await;
    let deleted_page = share(&app, &owner, &deleted).await;
    assert_eq!(feature(&app, &boss, &revoked).await.0, 200);
    assert_eq!(feature(&app, &boss, &deleted).await.0, 200);
    assert_shows(&landing(&app).await, &[&deleted_page, &revoked_page]);

    let r = app.http.delete(app.url(&format!("/api/infographs/{revoked}/share/"))).header("Authorization", format!("Token {owner}")).send().await.expect("revoke");
    assert_eq!(r.status(), 204);
    assert_shows(&landing(&app).await, &[&deleted_page]);
    // Shared again, it is a new link, which no admin has featured.
    let again = share(&app, &owner, &revoked).await;
    assert_ne!(again, revoked_page);
    assert_shows(&landing(&app).await, &[&deleted_page]);

    let r = app.http.delete(app.url(&format!("/api/infographs/{deleted}/"))).header("Authorization", format!("Token {owner}")).send().await.expect("delete");
    assert!(r.status().is_success(), "{}", r.status());
    assert_shows(&landing(&app).await, &[]);
    let (status, body) = feature(&app, &boss, &deleted).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("deleted by its owner"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_a_shared_finished_picture_can_be_featured() {
    let app = spawn().await;
    let owner = app.register("owner@example.com").await;
    let boss = admin(&app).await;
    let unshared = stored(&app, &owner, "Tides").await;
    let (status, body) = feature(&app, &boss, &unshared).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("only a shared infographic can be featured"), "{body}");

    let (_, created) = app.create(&owner, json!({"prompt": "[emulator:fail] broken"})).await;
    let failed = created["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.wait_final(&owner, &failed, WAIT).await["status"], "failed");
    let (status, body) = feature(&app, &boss, &failed).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("only a finished infographic can be featured: this one is failed"), "{body}");

    assert_eq!(feature(&app, &boss, "no-such-infograph").await.0, 404);
    let owner_id = app.user_id("owner@example.com").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM shares WHERE featured_at IS NOT NULL AND user_id = $1", &owner_id).await, 0);
    assert_shows(&landing(&app).await, &[]);
}

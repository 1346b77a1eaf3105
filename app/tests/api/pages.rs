//! The pages as a browser first gets them: rendered on the server with their data (islands
//! hydrate later), the landing page plain HTML with its example pictures.

use super::helpers::*;

use serde_json::json;

async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> (u16, String) {
    let mut request = app.http.get(app.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let r = request.send().await.expect("page");
    (r.status().as_u16(), r.text().await.expect("html"))
}

#[tokio::test]
async fn the_landing_page_shows_three_examples_and_loads_no_wasm() {
    // The site is the repository's `public/`: the example files are files, as the build ships them.
    let app = TestApp::spawn_with(|c| c.site_root = concat!(env!("CARGO_MANIFEST_DIR"), "/../public").to_string()).await;
    let (status, html) = page(&app, "/", None).await;
    assert_eq!(status, 200);
    assert!(loads_no_code(&html), "no script on the landing page: {html}");
    assert!(html.contains("How credits work") && html.contains("10 free credits"), "{html}");
    let images: Vec<&str> = html.split("<img ").skip(1).collect();
    assert_eq!(images.len(), 3, "three examples");
    assert!(images[0].contains("fetchpriority=\"high\"") && images[0].contains("loading=\"eager\""), "{}", images[0]);
    assert!(images[1..].iter().all(|i| i.contains("loading=\"lazy\"")));
    for (example, img) in app::model::showcase::EXAMPLES.iter().zip(&images) {
        assert!(img.contains(&format!("width=\"{}\"", example.width)) && img.contains(&format!("height=\"{}\"", example.height)), "{img}");
        for (extension, content_type) in [("jpg", "image/jpeg"), ("webp", "image/webp")] {
            let r = app.http.get(app.url(&example.url(extension))).send().await.expect("example");
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["content-type"], content_type);
            assert!(r.headers()["cache-control"].to_str().expect("ascii").starts_with("public"));
            let bytes = r.bytes().await.expect("bytes");
            let drawn = image::load_from_memory(&bytes).expect("an image");
            assert_eq!((drawn.width(), drawn.height()), (example.width, example.height));
        }
    }
    let r = app.http.get(app.url("/examples/nothing.jpg")).send().await.expect("missing");
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn signed_in_pages_arrive_with_their_data_and_islands() {
    let app = TestApp::spawn().await;
    let token = app.register("reader@example.com").await;
    let (status, created) = app.create(&token, json!({"prompt": "Tides of the Atlantic"})).await;
    assert_eq!(status, 201, "{created}");
    let cookie = sign_in_cookie(&app, "reader@example.com").await;

    let (_, home) = page(&app, "/", Some(&cookie)).await;
    assert!(home.contains("Tides of the Atlantic") && home.contains("data-testid=\"card\""), "the gallery is in the HTML");
    assert!(home.contains("<leptos-island") && home.contains("/pkg/"), "the workspace hydrates as an island");
    assert!(home.contains("data-testid=\"balance\"") && home.contains("9 credits"), "the balance is server-rendered");

    // Settings used to render "Loading…" on the server.
    let (_, settings) = page(&app, "/settings", Some(&cookie)).await;
    assert!(settings.contains("reader@example.com") && settings.contains("Email notifications are off"), "{settings}");
    assert!(!settings.contains("Loading…"));

    app::server::accounts::users::register(&app.running.state.db, "boss@example.com", PASSWORD, 0, true).await.expect("admin");
    let boss = sign_in_cookie(&app, "boss@example.com").await;
    let (status, admin) = page(&app, "/admin?q=Tides", Some(&boss)).await;
    assert_eq!(status, 200);
    assert!(admin.contains("data-testid=\"jobs-table\"") && admin.contains("Tides of the Atlantic"), "the jobs are in the HTML");
    assert!(admin.contains("value=\"Tides\""), "the filter keeps its value");
    assert!(admin.contains("data-testid=\"users-table\"") && admin.contains("reader@example.com"));
}

/// The bundle in its content-named directory (the core, its lazily loaded parts, the CSS): precompressed as the browser accepts, cacheable for
/// a year; pages revalidated and compressed on the fly; the event stream never compressed.
#[tokio::test]
async fn the_bundle_is_served_precompressed_and_immutable_and_pages_revalidate() {
    let site = tempfile::tempdir().expect("site");
    let pkg = site.path().join("pkg");
    let dir = pkg.join("0123abcd");
    std::fs::create_dir_all(&dir).expect("pkg");
    let js = "export function hydrate() {}\n".repeat(40);
    std::fs::write(pkg.join("stem.txt"), "0123abcd/infograph\n").expect("stem");
    std::fs::write(dir.join("infograph.js"), &js).expect("js");
    std::fs::write(dir.join("infograph.js.gz"), b"gzip bytes").expect("gz");
    std::fs::write(dir.join("infograph.js.br"), b"brotli bytes").expect("br");
    std::fs::write(dir.join("chunk_3.wasm"), b"\0asm part").expect("part");
    let root = site.path().to_string_lossy().to_string();
    let app = TestApp::spawn_with(move |c| c.site_root = root).await;
    // reqwest here decompresses nothing: what the server sent is what we read.
    let raw = reqwest::Client::builder().no_gzip().no_brotli().build().expect("client");
    let get = |path: &str, accept: &'static str| raw.get(app.url(path)).header("accept-encoding", accept).send();

    let br = get("/pkg/0123abcd/infograph.js", "gzip, br").await.expect("br");
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(br.headers()["content-type"].to_str().expect("ascii").contains("javascript"));
    assert_eq!(br.bytes().await.expect("body").as_ref(), b"brotli bytes");
    let gz = get("/pkg/0123abcd/infograph.js", "gzip").await.expect("gzip");
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let plain = get("/pkg/0123abcd/infograph.js", "identity").await.expect("plain");
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.expect("js"), js);
    // A lazily loaded part, beside the core.
    let part = get("/pkg/0123abcd/chunk_3.wasm", "identity").await.expect("part");
    assert_eq!(part.status(), 200);
    assert_eq!(part.headers()["content-type"], "application/wasm");
    assert_eq!(part.headers()["cache-control"], "public, max-age=31536000, immutable");
    // A miss is not cached for a year.
    let missing = get("/pkg/ffff/infograph.js", "br").await.expect("missing");
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().get("cache-control").is_none_or(|v| !v.to_str().unwrap_or("").contains("immutable")));

    // Pages name the bundle by its directory, are revalidated, and are compressed on the fly.
    let token = app.register("pages@example.com").await;
    let cookie = sign_in_cookie(&app, "pages@example.com").await;
    let home = raw.get(app.url("/")).header("cookie", &cookie).header("accept-encoding", "gzip").send().await.expect("home");
    assert_eq!(home.headers()["cache-control"], "no-cache");
    assert_eq!(home.headers()["content-encoding"], "gzip");
    let (_, html) = page(&app, "/", Some(&cookie)).await;
    // The loader imports `/{pkg}/{stem}.js` when the page is idle; nothing preloads the bundle.
    assert!(html.contains("\"pkg\", \"0123abcd/infograph\", \"0123abcd/infograph\"") && html.contains("/pkg/0123abcd/infograph.css"), "{html}");
    assert!(!html.contains("modulepreload") && !html.contains("rel=\"preload\""), "{html}");
    // JSON is compressed too; the event stream never (it would be buffered).
    let (status, _) = app.create(&token, json!({"prompt": "Compressed answers"})).await;
    assert_eq!(status, 201);
    let json = raw.get(app.url("/api/infographs/")).header("authorization", format!("Token {token}")).header("accept-encoding", "gzip").send().await.expect("json");
    assert_eq!(json.headers()["content-encoding"], "gzip");
    let events = raw.get(app.url("/api/events/")).header("authorization", format!("Token {token}")).header("accept-encoding", "gzip, br").send().await.expect("events");
    assert_eq!(events.status(), 200);
    assert!(events.headers().get("content-encoding").is_none(), "the event stream is not compressed");
}

/// Finding the app's page routes renders the app once, and while Leptos does that no resource
/// created anywhere in the process loads, ever: a page served at that moment by another server
/// in the same process never finished (seen as this suite's tests timing out, at random, on the
/// page a verification link lands on). Routers are built over and over while pages are fetched
/// four at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn building_another_server_does_not_stall_pages_being_served() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let app = Arc::new(TestApp::spawn().await);
    let built = Arc::new(AtomicBool::new(false));
    let builder = tokio::task::spawn_blocking({
        let (state, built) = (app.running.state.clone(), built.clone());
        move || {
            for _ in 0..300 {
                drop(app::api::router::router(state.clone()));
            }
            built.store(true, Ordering::SeqCst);
        }
    });
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().expect("client");
    let fetchers: Vec<_> = (0..4)
        .map(|_| {
            let (app, built, client) = (app.clone(), built.clone(), client.clone());
            tokio::spawn(async move {
                let mut fetched = 0;
                while fetched < 5 || !built.load(Ordering::SeqCst) {
                    let r = client.get(app.url("/")).send().await.unwrap_or_else(|e| panic!("page {fetched} stalled: {e}"));
                    assert_eq!(r.status(), 200);
                    assert!(r.text().await.expect("html").contains("How credits work"), "page {fetched} complete");
                    fetched += 1;
                }
            })
        })
        .collect();
    for fetcher in fetchers {
        fetcher.await.expect("no page stalled");
    }
    builder.await.expect("routers built");
}

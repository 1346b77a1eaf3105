//! What a public site must refuse or say in its headers: cross-site state changes made with a
//! victim's cookie (and login CSRF), pages in frames, scripts we did not send.

use crate::helpers::{form, loads_no_code, sign_in_cookie, TestApp, PASSWORD};
use serde_json::{json, Value};

const EVIL: &str = "https://evil.example";

enum From<'a> {
    Origin(&'a str),
    FetchSite(&'a str),
}

/// A server-function call as a form on another site would make it: urlencoded or text/plain.
async fn cross_site(app: &TestApp, path: &str, cookie: Option<&str>, body: &str, plain: bool, from: From<'_>) -> reqwest::Response {
    let content_type = if plain { "text/plain" } else { "application/x-www-form-urlencoded" };
    let mut req = app.http.post(app.url(path)).header("content-type", content_type).body(body.to_string());
    req = match from {
        From::Origin(origin) => req.header("origin", origin),
        From::FetchSite(site) => req.header("sec-fetch-site", site),
    };
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    req.send().await.expect("post")
}

async fn assert_refused(r: reqwest::Response, what: &str) {
    assert_eq!(r.status(), 403, "{what}");
    assert!(r.headers().get("set-cookie").is_none(), "{what}: no session may come of it");
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"], "forbidden", "{what}: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cross_site_form_posts_change_nothing() {
    let app = TestApp::spawn().await;
    let token = app.register("victim@example.com").await;
    let cookie = sign_in_cookie(&app, "victim@example.com").await;
    app::server::accounts::users::register(&app.running.state.db, "boss@example.com", PASSWORD, 0, true).await.expect("admin");
    let boss = sign_in_cookie(&app, "boss@example.com").await;
    let (status, created) = app.create(&token, json!({"prompt": "[emulator:slow] Mine"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["infographs"][0]["id"].as_str().expect("id").to_string();
    let uid = app.user_id("victim@example.com").await;
    // Confirming the address signed a browser in too: count from here.
    let sessions = app.count("SELECT COUNT(*) FROM sessions WHERE user_id = $1", &uid).await;

    let create = form(&[("prompt", "Theirs"), ("number_of_infographs", "4")]);
    let grant = form(&[("user_id", &uid), ("amount", "-9")]);
    let sign_in = form(&[("email", "victim@example.com"), ("password", PASSWORD)]);
    let attempts = [
        ("/sfn/create_infographs", Some(cookie.as_str()), create.clone()),
        ("/sfn/cancel_infograph", Some(cookie.as_str()), form(&[("id", &id)])),
        ("/sfn/delete_infograph", Some(cookie.as_str()), form(&[("id", &id)])),
        ("/sfn/admin_adjust_credits", Some(boss.as_str()), grant),
        ("/sfn/sign_in", None, sign_in),
    ];
    for (path, cookie, body) in &attempts {
        for plain in [false, true] {
            assert_refused(cross_site(&app, path, *cookie, body, plain, From::Origin(EVIL)).await, path).await;
        }
        assert_refused(cross_site(&app, path, *cookie, body, false, From::Origin("null")).await, path).await;
        assert_refused(cross_site(&app, path, *cookie, body, false, From::FetchSite("cross-site")).await, path).await;
        assert_refused(cross_site(&app, path, *cookie, body, false, From::FetchSite("same-site")).await, path).await;
    }
    // Nothing happened: no charge, no new job, the job neither cancelled nor deleted.
    assert_eq!(app.balance(&token).await, 9);
    assert_eq!(app.count("SELECT COUNT(*) FROM infographs WHERE user_id = $1", &uid).await, 1);
    let job = app.status(&token, &id).await;
    assert_eq!(job["cancelled"], json!(false), "{job}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions WHERE user_id = $1", &uid).await, sessions, "no session from the forged sign-in");

    // The same request from our own page goes through.
    let r = cross_site(&app, "/sfn/create_infographs", Some(&cookie), &create, false, From::Origin(&app.base)).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let r = cross_site(&app, "/sfn/cancel_infograph", Some(&cookie), &form(&[("id", &id)]), false, From::FetchSite("same-origin")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.balance(&token).await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_carry_a_nonce_policy_and_are_never_framed() {
    let app = TestApp::spawn().await;
    // The sign-in page loads the wasm (its form is an island); the signed-out landing page none.
    let landing = app.http.get(app.url("/")).send().await.expect("home").text().await.expect("html");
    assert!(loads_no_code(&landing), "the landing page loads no script");
    let page = app.http.get(app.url("/signin")).send().await.expect("sign-in page");
    let headers = page.headers().clone();
    let html = page.text().await.expect("html");
    let policy = headers["content-security-policy"].to_str().expect("ascii").to_string();
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{policy}");
    assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'"), "{policy}");
    let scripts = policy.split(';').map(str::trim).find(|d| d.starts_with("script-src")).expect("script-src");
    assert!(!scripts.contains("unsafe-inline") && !scripts.contains("unsafe-eval '"), "{scripts}");
    // Every inline script of the page carries this response's nonce; none without it.
    let inline_scripts = html.matches("<script").count();
    let with_nonce = html.matches(&format!("nonce=\"{nonce}\"")).count();
    assert!(inline_scripts > 0 && with_nonce >= inline_scripts, "{inline_scripts} scripts, {with_nonce} with the nonce");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(headers.get("strict-transport-security").is_none(), "no HSTS over plain http");
    // A second load gets a new nonce.
    let again = app.http.get(app.url("/signin")).send().await.expect("sign-in page");
    assert_ne!(again.headers()["content-security-policy"].to_str().expect("ascii"), policy);
    // HTML we render without the app (the API reference) gets a policy that allows no script.
    let docs = app.http.get(app.url("/api/docs/")).send().await.expect("docs");
    let strict = docs.headers()["content-security-policy"].to_str().expect("ascii").to_string();
    assert!(strict.contains("default-src 'none'") && !strict.contains("script-src"), "{strict}");
    // JSON answers get the generic headers too.
    let health = app.http.get(app.url("/api/health/")).send().await.expect("health");
    assert_eq!(health.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn https_sites_send_hsts_and_secure_cookies() {
    let app = TestApp::spawn_with(|c| c.public_base_url = Some("https://infograph.example".into())).await;
    app.register("tls@example.com").await;
    let home = app.http.get(app.url("/")).send().await.expect("home");
    assert!(home.headers()["strict-transport-security"].to_str().expect("ascii").contains("max-age="));
    let r = app
        .http
        .post(app.url("/sfn/sign_in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://infograph.example")
        .body(form(&[("email", "tls@example.com"), ("password", PASSWORD)]))
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status(), 200);
    assert!(r.headers()["set-cookie"].to_str().expect("ascii").contains("; Secure"));
    // Behind a TLS proxy with a plain-http base URL, COOKIE_SECURE forces the flag.
    let proxied = TestApp::spawn_with(|c| c.cookie_secure = Some(true)).await;
    proxied.register("proxy@example.com").await;
    let cookie = proxied
        .http
        .post(proxied.url("/sfn/sign_in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("email", "proxy@example.com"), ("password", PASSWORD)]))
        .send()
        .await
        .expect("sign in");
    assert!(cookie.headers()["set-cookie"].to_str().expect("ascii").contains("; Secure"));
}

//! What a public site must refuse or say in its headers: cross-site state changes made with a
//! victim's cookie (and login CSRF), pages in frames, scripts we did not send.

use crate::helpers::{form, loads_no_code, sign_in_cookie, TestApp, PASSWORD};
use app::server::platform::config::Secret;
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

/// A page's policy, after checking it lets the page's own inline scripts run (every one carries
/// the policy's nonce) and nothing else.
fn nonce_policy(headers: &reqwest::header::HeaderMap, html: &str, what: &str) -> String {
    let policy = headers["content-security-policy"].to_str().expect("ascii").to_string();
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).unwrap_or_else(|| panic!("{what}: no nonce in {policy}"));
    assert!(nonce.len() >= 16, "{what}: {policy}");
    assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'"), "{what}: {policy}");
    let scripts = policy.split(';').map(str::trim).find(|d| d.starts_with("script-src")).expect("script-src");
    assert!(!scripts.contains("unsafe-inline") && !scripts.contains("unsafe-eval '"), "{what}: {scripts}");
    let inline_scripts = html.matches("<script").count();
    let with_nonce = html.matches(&format!("nonce=\"{nonce}\"")).count();
    assert!(inline_scripts > 0 && with_nonce >= inline_scripts, "{what}: {inline_scripts} scripts, {with_nonce} with the nonce");
    policy
}

async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> (reqwest::header::HeaderMap, String) {
    let mut request = app.http.get(app.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("page");
    (response.headers().clone(), response.text().await.expect("html"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_carry_a_nonce_policy_and_are_never_framed() {
    let app = TestApp::spawn().await;
    // The sign-in page loads the wasm (its form is an island); the signed-out landing page none.
    let (_, landing) = page(&app, "/", None).await;
    assert!(loads_no_code(&landing), "the landing page loads no script");
    let (headers, html) = page(&app, "/signin", None).await;
    let policy = nonce_policy(&headers, &html, "/signin");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(headers.get("strict-transport-security").is_none(), "no HSTS over plain http");
    // A second load gets a new nonce.
    let (again, _) = page(&app, "/signin", None).await;
    assert_ne!(again["content-security-policy"].to_str().expect("ascii"), policy);
    // Every page a signed-in person loads, the unknown one included, runs its scripts.
    app.register("policy@example.com").await;
    let cookie = sign_in_cookie(&app, "policy@example.com").await;
    for path in ["/", "/?email=confirmed", "/settings", "/billing", "/no-such-page"] {
        let (headers, html) = page(&app, path, Some(&cookie)).await;
        let policy = nonce_policy(&headers, &html, path);
        assert!(!policy.contains("stripe") && policy.contains("frame-src 'none'"), "{path}: no payment origins without billing: {policy}");
    }
    // HTML we render without the app (the API reference) gets a policy that allows no script.
    let docs = app.http.get(app.url("/api/docs/")).send().await.expect("docs");
    let strict = docs.headers()["content-security-policy"].to_str().expect("ascii").to_string();
    assert!(strict.contains("default-src 'none'") && !strict.contains("script-src"), "{strict}");
    // JSON answers get the generic headers too.
    let health = app.http.get(app.url("/api/health/")).send().await.expect("health");
    assert_eq!(health.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_billing_page_alone_may_talk_to_stripe() {
    let app = TestApp::spawn_with(|c| {
        c.billing.secret_key = Some(Secret::new("sk_test_policy"));
        c.billing.publishable_key = Some("pk_test_policy".into());
        c.billing.webhook_secret = Some(Secret::new("whsec_policy"));
        c.billing.api_base = "https://api.stripe.example".into();
        c.billing.js_url = "https://js.stripe.example/v3/".into();
    })
    .await;
    app.register("payer@example.com").await;
    let cookie = sign_in_cookie(&app, "payer@example.com").await;
    let (headers, html) = page(&app, "/billing", Some(&cookie)).await;
    let policy = nonce_policy(&headers, &html, "/billing");
    let scripts = policy.split(';').map(str::trim).find(|d| d.starts_with("script-src")).expect("script-src");
    assert!(scripts.contains("https://js.stripe.example") && policy.contains("connect-src 'self' https://js.stripe.example https://api.stripe.example"), "{policy}");
    let (headers, html) = page(&app, "/settings", Some(&cookie)).await;
    assert!(!nonce_policy(&headers, &html, "/settings").contains("stripe.example"), "other pages name no payment origin");
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

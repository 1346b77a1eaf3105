//! Test harness: a real server on port 0 with a fresh SQLite file and the built-in fal emulator,
//! plus a JWKS endpoint that publishes the emulator's key *and* a test key, so tests can sign
//! their own webhooks (duplicates, ERRORs, forgeries) and still go through the production
//! verification path, JWKS fetch included.
#![allow(dead_code)]

pub mod nginx;
pub mod pyservers;

use app::server::platform::config::Config;
use app::server::fal::signature::{
    jwks_for, signed_message, HEADER_REQUEST_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_USER_ID,
};
use app::server::fal::emulator::EMULATOR_USER_ID;
use app::startup::Application;
use axum::routing::get;
use axum::{Json, Router};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "password123";

pub struct TestApp {
    pub running: Application,
    pub base: String,
    pub http: reqwest::Client,
    pub test_key: SigningKey,
    _dir: tempfile::TempDir,
}

/// A fresh, empty database for one test: a SQLite file in `dir`, or, when `TEST_POSTGRES_URL`
/// names a PostgreSQL server (`make test` starts a throwaway one), a new database on it.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    use sqlx::{Connection, Executor};
    let Ok(admin) = std::env::var("TEST_POSTGRES_URL") else {
        return format!("sqlite://{}", dir.join("test.db").display());
    };
    sqlx::any::install_default_drivers();
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::AnyConnection::connect(&admin).await.expect("connect to TEST_POSTGRES_URL");
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
    let _ = conn.close().await;
    let mut url = url::Url::parse(&admin).expect("TEST_POSTGRES_URL is a URL");
    url.set_path(&name);
    url.to_string()
}

pub fn test_config(dir: &std::path::Path) -> Config {
    let mut config = Config::default();
    config.database_url = format!("sqlite://{}", dir.join("test.db").display());
    config.site_addr = "127.0.0.1:0".parse().expect("addr");
    // The built-in emulator, asked for as `make run` and every test set-up must.
    config.fal.emulator = true;
    config.emulator_delay = Duration::from_millis(300);
    config.signup_credits = 10;
    config.fal.retry_base = Duration::from_millis(10);
    // Tests create fast; the ones about the limit set it themselves.
    config.create_per_minute = 0;
    // Stored images and the email outbox stay inside the test's temp dir on either database.
    config.data_dir = Some(dir.to_path_buf());
    config
}

pub fn new_key() -> SigningKey {
    SigningKey::generate(&mut rand::rngs::OsRng)
}

/// Serves `{test key} + {emulator keys}` as one JWKS document.
async fn spawn_jwks(test_key: SigningKey, app_base: Arc<OnceLock<String>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind jwks");
    let addr = listener.local_addr().expect("addr");
    let router = Router::new().route(
        "/jwks.json",
        get(move || {
            let app_base = app_base.clone();
            let test_key = test_key.clone();
            async move {
                let mut keys = jwks_for(&test_key.verifying_key())["keys"].as_array().cloned().unwrap_or_default();
                if let Some(base) = app_base.get() {
                    let url = format!("{base}/fal-emulator/.well-known/jwks.json");
                    if let Ok(r) = reqwest::get(url).await {
                        if let Ok(v) = r.json::<Value>().await {
                            keys.extend(v["keys"].as_array().cloned().unwrap_or_default());
                        }
                    }
                }
                Json(json!({ "keys": keys }))
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}/jwks.json")
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = test_config(dir.path());
        config.database_url = fresh_database_url(dir.path()).await;
        let test_key = new_key();
        let app_base = Arc::new(OnceLock::new());
        config.fal.jwks_url = Some(spawn_jwks(test_key.clone(), app_base.clone()).await);
        tweak(&mut config);
        let running = Application::build(config).await.expect("server starts");
        let base = running.base_url.clone();
        let _ = app_base.set(base.clone());
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
        Self { running, base, http, test_key, _dir: dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Registers a user through the API, confirms its address (as following the emailed link
    /// would) and returns its token.
    pub async fn register(&self, email: &str) -> String {
        let token = self.register_unverified(email).await;
        self.confirm_email(email).await;
        token
    }

    /// Registers a user through the API and returns its token; the address stays unconfirmed.
    pub async fn register_unverified(&self, email: &str) -> String {
        let (status, body) = self.post_json(None, "/api/auth/register/", json!({"email": email, "password": PASSWORD}).to_string().into()).await;
        assert_eq!(status, 201, "register {email}: {body}");
        body["token"].as_str().expect("token").to_string()
    }

    /// A verification link for `email`'s account, made with the app's own key, expiring at
    /// `expires_ms`.
    pub async fn verification_link(&self, email: &str, expires_ms: i64) -> String {
        use app::server::accounts::{users, verification};
        let user = users::by_email(&self.running.state.db, email).await.expect("db").expect("user");
        let token = verification::token(&self.running.state.signer, &user, expires_ms);
        verification::link(&self.base, &token)
    }

    /// Follows a verification link; returns the notice word the page was sent to (`confirmed`, …).
    pub async fn follow_verification(&self, link: &str) -> String {
        let r = self.http.get(link).send().await.expect("verify");
        assert_eq!(r.status(), 200, "{link}");
        let landed = r.url().clone();
        landed.query_pairs().find(|(k, _)| k == "email").map(|(_, v)| v.to_string()).unwrap_or_default()
    }

    pub async fn confirm_email(&self, email: &str) {
        let link = self.verification_link(email, app::server::platform::db::now_ms() + 3_600_000).await;
        assert_eq!(self.follow_verification(&link).await, "confirmed", "confirming {email}");
    }

    pub async fn post_json(&self, token: Option<&str>, path: &str, body: reqwest::Body) -> (u16, Value) {
        let mut req = self.http.post(self.url(path)).header("content-type", "application/json").body(body);
        if let Some(token) = token {
            req = req.header("Authorization", format!("Token {token}"));
        }
        let r = req.send().await.expect("post");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// `method path` with the token and no body: the raw response.
    pub async fn send(&self, method: reqwest::Method, token: &str, path: &str) -> reqwest::Response {
        let request = self.http.request(method, self.url(path)).header("Authorization", format!("Token {token}"));
        request.send().await.expect("request")
    }

    pub async fn create(&self, token: &str, body: Value) -> (u16, Value) {
        self.post_json(Some(token), "/api/infographs/create/", body.to_string().into()).await
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .header("Authorization", format!("Token {token}"))
            .send()
            .await
            .expect("get");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn balance(&self, token: &str) -> i64 {
        let (status, body) = self.get(token, "/api/account/").await;
        assert_eq!(status, 200, "{body}");
        body["credit_balance"].as_i64().expect("balance")
    }

    pub async fn status(&self, token: &str, id: &str) -> Value {
        let (status, body) = self.get(token, &format!("/api/infographs/status/{id}/")).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Polls until the job is final; bounded so a broken pipeline fails the test instead of hanging.
    pub async fn wait_final(&self, token: &str, id: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let s = self.status(token, id).await;
            if matches!(s["status"].as_str(), Some("completed" | "failed")) {
                return s;
            }
            assert!(Instant::now() < deadline, "job {id} not final in {within:?}: {s}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the worker has submitted the job to fal and returns fal's request id.
    pub async fn fal_request_id(&self, id: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let rid: Option<String> = sqlx::query_scalar("SELECT fal_request_id FROM infographs WHERE id = $1")
                .bind(id)
                .fetch_one(self.running.state.db.read())
                .await
                .expect("query");
            if let Some(rid) = rid {
                return rid;
            }
            assert!(Instant::now() < deadline, "job {id} never submitted");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until fal (here the emulator) says the job's submitted request has completed.
    pub async fn wait_fal_completed(&self, id: &str) {
        self.fal_request_id(id).await;
        let status_url: String = sqlx::query_scalar("SELECT fal_status_url FROM infographs WHERE id = $1")
            .bind(id)
            .fetch_one(self.running.state.db.read())
            .await
            .expect("status url");
        let deadline = Instant::now() + WAIT;
        loop {
            let status = self.running.state.fal.status(&status_url).await.expect("fal status");
            if status.is_completed() {
                return;
            }
            assert!(Instant::now() < deadline, "fal never completed job {id}: {status:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Posts a webhook for fal request `rid`, signed with `key` (the published test key if `None`)
    /// for our fal account (the emulator's user id, which the app expects in emulator mode).
    pub async fn post_webhook(&self, id: &str, rid: &str, body: &Value, key: Option<&SigningKey>) -> (u16, Value) {
        self.post_webhook_as(id, rid, body, key, EMULATOR_USER_ID).await
    }

    /// [`TestApp::post_webhook`], signed for fal account `user_id`.
    pub async fn post_webhook_as(&self, id: &str, rid: &str, body: &Value, key: Option<&SigningKey>, user_id: &str) -> (u16, Value) {
        let key = key.unwrap_or(&self.test_key);
        let raw = body.to_string().into_bytes();
        let ts = now_secs().to_string();
        let sig = key.sign(&signed_message(rid, user_id, &ts, &raw));
        self.post_webhook_raw(
            id,
            raw,
            &[
                (HEADER_REQUEST_ID, rid.to_string()),
                (HEADER_USER_ID, user_id.into()),
                (HEADER_TIMESTAMP, ts),
                (HEADER_SIGNATURE, hex::encode(sig.to_bytes())),
            ],
        )
        .await
    }

    pub async fn post_webhook_raw(&self, id: &str, raw: Vec<u8>, headers: &[(&str, String)]) -> (u16, Value) {
        let mut req = self
            .http
            .post(self.url(&format!("/api/infographs/webhook/{id}/")))
            .header("content-type", "application/json")
            .body(raw);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let r = req.send().await.expect("webhook");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn count(&self, sql: &str, bind: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql).bind(bind).fetch_one(self.running.state.db.read()).await.expect("count")
    }

    pub async fn user_id(&self, email: &str) -> String {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(self.running.state.db.read())
            .await
            .expect("user id")
    }

    /// The ledger invariant: the cached balance equals the sum of the user's ledger.
    pub async fn assert_ledger_matches(&self, email: &str, token: &str) {
        let uid = self.user_id(email).await;
        let sum = app::server::billing::ledger::sum(&self.running.state.db, &uid).await.expect("sum");
        assert_eq!(sum, self.balance(token).await, "ledger sum != balance for {email}");
    }
}

pub fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

pub const WAIT: Duration = Duration::from_secs(30);

/// The messages written to an outbox folder (`.eml` files; no SMTP configured).
pub fn outbox_messages(outbox: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(outbox)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Undoes quoted-printable soft line breaks and `=3D`, enough to read a link out of a message.
pub fn unfold_quoted_printable(message: &str) -> String {
    message.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// A form body, urlencoded.
pub fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

pub async fn sign_in_cookie(app: &TestApp, email: &str) -> String {
    let r = app
        .http
        .post(app.url("/sfn/sign_in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &app.base)
        .body(form(&[("email", email), ("password", PASSWORD)]))
        .send()
        .await
        .expect("sign in");
    assert!(r.status().is_success(), "{}", r.status());
    let cookie = r.headers()["set-cookie"].to_str().expect("ascii");
    cookie.split(';').next().expect("pair").to_string()
}

/// Polls `GET …/layers/` until the layered version's background is stored (its size known).
pub async fn wait_layers(app: &TestApp, token: &str, id: &str) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let (status, body) = app.get(token, &format!("/api/infographs/{id}/layers/")).await;
        if status == 200 && body["width"].as_u64() > Some(0) {
            return body;
        }
        assert!(Instant::now() < deadline, "layers of {id} not ready: {status} {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls the status until our copy is served (`image_url` is under `/media/`).
pub async fn wait_stored(app: &TestApp, token: &str, id: &str) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let s = app.status(token, id).await;
        if s["image_url"].as_str().is_some_and(|u| u.contains("/media/")) {
            return s;
        }
        assert!(Instant::now() < deadline, "image of {id} never stored: {s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether a page loads no code: no module script, no wasm, nothing from the bundle and no
/// external script. (Leptos still writes two tiny inline scripts that only declare its, here
/// empty, data arrays; they run nothing.)
pub fn loads_no_code(html: &str) -> bool {
    let inline_data_only = html.split("<script").skip(1).all(|tag| {
        let body = tag.split_once('>').map_or("", |(_, rest)| rest).split("</script>").next().unwrap_or_default();
        !tag.split('>').next().unwrap_or_default().contains("src=") && body.split(';').all(|statement| {
            let statement = statement.trim();
            statement.is_empty() || statement.starts_with("__") && statement.contains("=[")
        })
    });
    inline_data_only && !html.contains("type=\"module\"") && !html.contains(".wasm") && !html.contains(".js\"")
}

//! A fal-compatible queue emulator, served when no `FAL_KEY` is set.
//!
//! It speaks the same protocol the production client uses: submit returns all four URLs, status
//! moves IN_QUEUE → IN_PROGRESS → COMPLETED with time, the result is the model output, cancel
//! answers like fal, and the end of every job is announced by a webhook signed with the
//! emulator's own Ed25519 key, published as JWKS. Prompt markers steer it:
//! `[emulator:fail]` (ERROR webhook), `[emulator:nowebhook]` (completes silently),
//! `[emulator:slow]` (takes ten times longer).

pub mod image;
pub mod text;

use crate::server::fal::signature::{jwks_for, signed_message, HEADER_REQUEST_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_USER_ID};
use crate::model::{AspectRatio, Resolution};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use ed25519_dalek::{Signer, SigningKey};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const PREFIX: &str = "/fal-emulator";
pub const EMULATOR_USER_ID: &str = "emulator-user";

/// How a job will end: as its prompt's markers ask, or, for an edit, failed if a source image
/// could not be downloaded (fal's 422 `file_download_error`).
#[derive(Debug, Clone, PartialEq)]
enum Scripted {
    Ok,
    Fail,
    DownloadFailed { index: usize, url: String },
}

#[derive(Debug, Clone)]
struct Job {
    model: String,
    prompt: String,
    width: u32,
    height: u32,
    seed: u64,
    /// What the image shows (title, lines, an edit's instruction and colours).
    picture: image::Picture,
    /// The endpoint it was submitted to (`…/edit` for an edit) and the images it was to edit.
    endpoint: String,
    image_urls: Vec<String>,
    started: Instant,
    duration: Duration,
    ending: Scripted,
    cancelled: bool,
    webhook: Option<String>,
    /// A language model's answer (`openrouter/router`) instead of an image.
    answer: Option<Value>,
}

impl Job {
    fn status(&self) -> &'static str {
        let elapsed = self.started.elapsed();
        if self.cancelled || elapsed >= self.duration {
            "COMPLETED"
        } else if elapsed < self.duration / 4 {
            "IN_QUEUE"
        } else {
            "IN_PROGRESS"
        }
    }
}

struct Inner {
    key: SigningKey,
    /// The only `Authorization: Key ...` the emulator serves (embedded: a random key the app
    /// holds; standalone: `--key`), so it is never an open relay for signed webhooks.
    api_key: String,
    /// Absolute URL of the emulator root, e.g. `http://127.0.0.1:3000/fal-emulator`.
    base_url: String,
    /// Root for image URLs handed to browsers (the public address when one is configured).
    media_url: String,
    delay: Duration,
    http: reqwest::Client,
    jobs: Mutex<HashMap<String, Job>>,
}

#[derive(Clone)]
pub struct Emulator(Arc<Inner>);

impl Emulator {
    /// `api_key`: only callers presenting it are served, so the emulator is not an open relay
    /// for jobs and signed webhooks to arbitrary addresses.
    pub fn new(base_url: String, media_url: String, api_key: String, delay: Duration, http: reqwest::Client) -> Self {
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        Self(Arc::new(Inner { key, api_key, base_url, media_url, delay, http, jobs: Mutex::new(HashMap::new()) }))
    }

    /// A random key for the app to present to its own embedded emulator.
    pub fn random_api_key() -> String {
        use rand::RngCore;
        let mut bytes = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        format!("emulator-{}", hex::encode(bytes))
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Key "))
            .filter(|k| !k.is_empty());
        match presented {
            None => false,
            // An empty expected key matches nothing (`presented` is never empty).
            Some(given) => {
                use subtle::ConstantTimeEq;
                self.0.api_key.as_bytes().ct_eq(given.as_bytes()).into()
            }
        }
    }

    pub fn queue_url(&self) -> String {
        format!("{}/queue", self.0.base_url)
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.0.base_url)
    }

    /// Routes relative to the emulator root; nest them under [`PREFIX`] or serve them alone.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/queue/{owner}/{app}", post(submit))
            .route("/queue/{owner}/{app}/edit", post(submit_edit))
            .route("/queue/{owner}/{app}/requests/{id}/status", get(status))
            .route("/queue/{owner}/{app}/requests/{id}", get(result))
            .route("/queue/{owner}/{app}/requests/{id}/cancel", put(cancel))
            .route("/.well-known/jwks.json", get(jwks))
            .route("/_emulator/submissions", get(submissions))
            .route("/files/{file}", get(file))
            .with_state(self.clone())
    }

    fn job(&self, id: &str) -> Option<Job> {
        self.0.jobs.lock().ok()?.get(id).cloned()
    }

    /// Like fal's: how many queued jobs are ahead of this one (0 = next).
    fn queue_position(&self, job: &Job) -> usize {
        let Ok(jobs) = self.0.jobs.lock() else { return 0 };
        jobs.values().filter(|j| j.status() == "IN_QUEUE" && j.started < job.started).count()
    }

    fn request_urls(&self, model: &str, id: &str) -> Value {
        let base = format!("{}/queue/{model}/requests/{id}", self.0.base_url);
        json!({
            "request_id": id,
            "response_url": base,
            "status_url": format!("{base}/status"),
            "cancel_url": format!("{base}/cancel"),
        })
    }

    /// The image URL carries everything needed to draw it, so images keep rendering after the
    /// emulator (an in-memory service) restarts, as fal's media URLs outlive their jobs.
    fn image_url(&self, id: &str, job: &Job) -> String {
        let mut url = format!("{}/files/{id}.png", self.0.media_url);
        let picture = &job.picture;
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("w", &job.width.to_string())
            .append_pair("h", &job.height.to_string())
            .append_pair("s", &job.seed.to_string())
            .append_pair("t", &picture.title);
        if !picture.lines.is_empty() {
            query.append_pair("l", &picture.lines.join("\n"));
        }
        if let Some(edit) = &picture.edit {
            query.append_pair("i", &edit.instruction).append_pair("p", &palette_hex(edit.palette));
        }
        let query = query.finish();
        url.push('?');
        url.push_str(&query);
        url
    }

    fn output(&self, id: &str, job: &Job) -> Value {
        if let Some(answer) = &job.answer {
            return answer.clone();
        }
        // The size of the file served, which may be smaller than asked (see image::rendered_size).
        let (width, height) = image::rendered_size(job.width, job.height);
        json!({
            "images": [{
                "url": self.image_url(id, job),
                "content_type": "image/png",
                "file_name": format!("{id}.png"),
                "width": width,
                "height": height,
            }],
            "description": image::title_of(&job.prompt),
        })
    }

    fn failure_payload(ending: &Scripted) -> Value {
        match ending {
            Scripted::DownloadFailed { index, url } => json!({"detail": [{
                "loc": ["body", "image_urls", index], "msg": format!("Failed to download the file from {url}"),
                "type": "file_download_error", "url": url,
            }]}),
            _ => json!({"detail": [{"loc": ["body", "prompt"], "msg": "The emulator was asked to fail this job ([emulator:fail]).", "type": "emulator_failure"}]}),
        }
    }

    async fn deliver_webhook(&self, id: String, url: String) {
        // Like fal, a cancelled request reports at once rather than when it would have finished.
        let Some(job) = self.job(&id) else { return };
        while !job.cancelled && job.started.elapsed() < job.duration {
            tokio::time::sleep((job.duration.saturating_sub(job.started.elapsed())).min(Duration::from_millis(100))).await;
            if self.job(&id).is_none_or(|j| j.cancelled) {
                break;
            }
        }
        let Some(job) = self.job(&id) else { return };
        let body = match (job.cancelled, &job.ending) {
            (false, Scripted::Ok) => json!({
                "request_id": id, "gateway_request_id": id, "status": "OK",
                "payload": self.output(&id, &job),
            }),
            (true, _) => json!({
                "request_id": id, "gateway_request_id": id, "status": "ERROR",
                "error": "Request was cancelled", "payload": {"detail": "Request was cancelled"},
            }),
            (false, ending) => json!({
                "request_id": id, "gateway_request_id": id, "status": "ERROR",
                "error": "Invalid status code: 422", "payload": Self::failure_payload(ending),
            }),
        };
        let body = body.to_string().into_bytes();
        // At-least-once, like fal: retry a few times on anything but 2xx.
        for attempt in 0..5u32 {
            let ts = (crate::server::platform::db::now_ms() / 1000).to_string();
            let signature = self.0.key.sign(&signed_message(&id, EMULATOR_USER_ID, &ts, &body));
            let sent = self
                .0
                .http
                .post(&url)
                .header(header::CONTENT_TYPE, "application/json")
                .header(HEADER_REQUEST_ID, &id)
                .header(HEADER_USER_ID, EMULATOR_USER_ID)
                .header(HEADER_TIMESTAMP, &ts)
                .header(HEADER_SIGNATURE, hex::encode(signature.to_bytes()))
                .body(body.clone())
                .timeout(Duration::from_secs(15))
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => return,
                Ok(r) => tracing::warn!(request_id = %id, status = %r.status(), "emulator webhook refused"),
                Err(e) => tracing::warn!(request_id = %id, error = %e.without_url(), "emulator webhook failed"),
            }
            tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(attempt))).await;
        }
    }
}

fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"detail": "Missing or invalid Authorization header"}))).into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({"detail": "Request not found"}))).into_response()
}

#[derive(Deserialize)]
struct SubmitQuery {
    fal_webhook: Option<String>,
}

fn seed_of(text: &str) -> u64 {
    // FNV-1a: a stable, dependency-free seed so the same prompt renders the same picture.
    text.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}

async fn submit(
    State(emu): State<Emulator>,
    Path((owner, app)): Path<(String, String)>,
    Query(query): Query<SubmitQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    accept(emu, format!("{owner}/{app}"), query, headers, body, false).await
}

/// `POST {model}/edit`, like fal's sub-path endpoints: the request is filed under the model's
/// app id, so its status and result URLs have no `/edit` in them.
async fn submit_edit(
    State(emu): State<Emulator>,
    Path((owner, app)): Path<(String, String)>,
    Query(query): Query<SubmitQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    accept(emu, format!("{owner}/{app}"), query, headers, body, true).await
}

fn unprocessable(loc: &[&str], msg: &str, kind: &str) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"detail": [{"loc": loc, "msg": msg, "type": kind}]}))).into_response()
}

/// Largest source image an edit downloads.
const MAX_SOURCE_BYTES: usize = 20 * 1024 * 1024;

/// Downloads an edit's source images as fal would; the first one's colours are kept.
async fn fetch_sources(emu: &Emulator, urls: &[String]) -> Result<image::Palette, Scripted> {
    let mut palette = None;
    for (index, url) in urls.iter().enumerate() {
        let failed = || Scripted::DownloadFailed { index, url: url.clone() };
        let response = emu.0.http.get(url).timeout(Duration::from_secs(15)).send().await.map_err(|_| failed())?;
        if !response.status().is_success() {
            return Err(failed());
        }
        let bytes = response.bytes().await.map_err(|_| failed())?;
        if bytes.len() > MAX_SOURCE_BYTES {
            return Err(failed());
        }
        let colours = tokio::task::spawn_blocking(move || image::palette_of_image(&bytes)).await.ok().flatten();
        palette = palette.or(Some(colours.ok_or_else(failed)?));
    }
    palette.ok_or(Scripted::DownloadFailed { index: 0, url: String::new() })
}

async fn accept(emu: Emulator, model: String, query: SubmitQuery, headers: HeaderMap, body: Bytes, edit: bool) -> Response {
    if !emu.authorized(&headers) {
        return unauthorized();
    }
    let input: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return unprocessable(&["body"], &e.to_string(), "json_invalid"),
    };
    let Some(prompt) = input.get("prompt").and_then(Value::as_str).map(str::to_string) else {
        return unprocessable(&["body", "prompt"], "Field required", "missing");
    };
    let sources: Vec<String> = input
        .get("image_urls")
        .and_then(Value::as_array)
        .map(|urls| urls.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    if edit && sources.is_empty() {
        return unprocessable(&["body", "image_urls"], "Field required", "missing");
    }
    // fal's LLM endpoint: a text answer, written by the outline heuristic (see `outline::llm`).
    let answer = (model == crate::server::outline::llm::ENDPOINT).then(|| {
        json!({"output": crate::server::outline::llm::emulated_answer(&prompt), "partial": false, "error": null,
            "usage": {"prompt_tokens": prompt.len() / 4, "completion_tokens": 400, "total_tokens": prompt.len() / 4 + 400, "cost": 0.0}})
    });
    if answer.is_some() && input.get("model").and_then(Value::as_str).is_none_or(str::is_empty) {
        return unprocessable(&["body", "model"], "Field required", "missing");
    }
    let aspect: AspectRatio = input.get("aspect_ratio").and_then(Value::as_str).and_then(|s| s.parse().ok()).unwrap_or(AspectRatio::R1x1);
    let resolution: Resolution = input.get("resolution").and_then(Value::as_str).and_then(|s| s.parse().ok()).unwrap_or(Resolution::K1);
    let (width, height) = aspect.dimensions(resolution);
    let seed = seed_of(&prompt);
    let mut picture = image::Picture { width, height, seed, title: image::title_of(&prompt), lines: image::body_lines(&prompt), edit: None };
    let mut ending = if prompt.contains("[emulator:fail]") { Scripted::Fail } else { Scripted::Ok };
    if edit {
        match fetch_sources(&emu, &sources).await {
            Ok(palette) => picture.edit = Some(image::Edit { instruction: image::instruction_of(&prompt), palette }),
            Err(failed) => ending = failed,
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    let slow = prompt.contains("[emulator:slow]");
    let job = Job {
        endpoint: if edit { format!("{model}/edit") } else { model.clone() },
        image_urls: sources,
        model: model.clone(),
        seed,
        picture,
        ending,
        // A model's text comes faster than a picture.
        duration: match (slow, answer.is_some()) {
            (true, _) => emu.0.delay * 10,
            (false, true) => (emu.0.delay / 8).min(Duration::from_millis(500)),
            (false, false) => emu.0.delay,
        },
        answer,
        prompt,
        width,
        height,
        started: Instant::now(),
        cancelled: false,
        webhook: None,
    };
    let webhook = query.fal_webhook.clone().filter(|_| !job.prompt.contains("[emulator:nowebhook]"));
    let job = Job { webhook: query.fal_webhook, ..job };
    let position = match emu.0.jobs.lock() {
        Ok(mut jobs) => {
            jobs.insert(id.clone(), job);
            jobs.values().filter(|j| j.status() == "IN_QUEUE").count().saturating_sub(1)
        }
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "emulator state poisoned").into_response(),
    };
    if let Some(url) = webhook {
        let emu = emu.clone();
        let id = id.clone();
        tokio::spawn(async move { emu.deliver_webhook(id, url).await });
    }
    let mut body = emu.request_urls(&model, &id);
    body["status"] = json!("IN_QUEUE");
    body["queue_position"] = json!(position);
    (StatusCode::OK, Json(body)).into_response()
}

async fn status(
    State(emu): State<Emulator>,
    Path((_owner, _app, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if !emu.authorized(&headers) {
        return unauthorized();
    }
    let Some(job) = emu.job(&id) else { return not_found() };
    let body = match job.status() {
        "IN_QUEUE" => json!({"status": "IN_QUEUE", "queue_position": emu.queue_position(&job), "response_url": emu.request_urls(&job.model, &id)["response_url"]}),
        "IN_PROGRESS" => json!({"status": "IN_PROGRESS", "logs": [{"message": "generating", "level": "INFO"}]}),
        _ if job.ending != Scripted::Ok || job.cancelled => json!({
            "status": "COMPLETED", "logs": [], "metrics": {},
            "error": if job.cancelled { "Request was cancelled" } else { "Invalid status code: 422" },
            "error_type": "emulator_failure",
        }),
        _ => json!({"status": "COMPLETED", "logs": [], "metrics": {"inference_time": job.duration.as_secs_f64()}}),
    };
    (StatusCode::ACCEPTED, Json(body)).into_response()
}

async fn result(
    State(emu): State<Emulator>,
    Path((_owner, _app, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if !emu.authorized(&headers) {
        return unauthorized();
    }
    let Some(job) = emu.job(&id) else { return not_found() };
    match (job.status(), &job.ending, job.cancelled) {
        ("COMPLETED", Scripted::Ok, false) => (StatusCode::OK, Json(emu.output(&id, &job))).into_response(),
        ("COMPLETED", ending, _) => (StatusCode::UNPROCESSABLE_ENTITY, Json(Emulator::failure_payload(ending))).into_response(),
        _ => (StatusCode::BAD_REQUEST, Json(json!({"detail": "Request is still in progress"}))).into_response(),
    }
}

async fn cancel(
    State(emu): State<Emulator>,
    Path((_owner, _app, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if !emu.authorized(&headers) {
        return unauthorized();
    }
    let Ok(mut jobs) = emu.0.jobs.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match jobs.get_mut(&id) {
        None => not_found(),
        Some(job) if job.status() == "COMPLETED" => {
            (StatusCode::BAD_REQUEST, Json(json!({"status": "ALREADY_COMPLETED"}))).into_response()
        }
        Some(job) => {
            // Like fal: only a job still queued is really stopped.
            if job.status() == "IN_QUEUE" {
                job.cancelled = true;
            }
            (StatusCode::ACCEPTED, Json(json!({"status": "CANCELLATION_REQUESTED"}))).into_response()
        }
    }
}

/// The emulator's own introspection (fal has no such call): every submission it accepted, with
/// the webhook URL it was given, so tests can prove each job was submitted exactly once.
async fn submissions(State(emu): State<Emulator>, headers: HeaderMap) -> Response {
    if !emu.authorized(&headers) {
        return unauthorized();
    }
    let Ok(jobs) = emu.0.jobs.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let list: Vec<Value> = jobs
        .iter()
        .map(|(id, job)| json!({
            "request_id": id, "model": job.model, "endpoint": job.endpoint, "image_urls": job.image_urls,
            "prompt": job.prompt, "webhook": job.webhook,
        }))
        .collect();
    Json(json!({ "count": list.len(), "submissions": list })).into_response()
}

async fn jwks(State(emu): State<Emulator>) -> Response {
    Json(jwks_for(&emu.0.key.verifying_key())).into_response()
}

#[derive(Deserialize)]
struct FileQuery {
    w: u32,
    h: u32,
    s: u64,
    t: String,
    /// The body's lines, one per line.
    #[serde(default)]
    l: Option<String>,
    /// An edit's instruction and its source's palette (`rrggbbrrggbb`).
    #[serde(default)]
    i: Option<String>,
    #[serde(default)]
    p: Option<String>,
}

fn palette_hex((top, bottom): image::Palette) -> String {
    hex::encode([top, bottom].concat())
}

fn palette_from_hex(text: &str) -> Option<image::Palette> {
    let bytes = hex::decode(text).ok()?;
    let all: [u8; 6] = bytes.try_into().ok()?;
    Some(([all[0], all[1], all[2]], [all[3], all[4], all[5]]))
}

impl FileQuery {
    /// The picture a URL describes, its text bounded: the URL is anybody's to write.
    fn picture(&self) -> image::Picture {
        let bounded = |text: &str, max: usize| text.chars().take(max).collect::<String>();
        let lines = self.l.as_deref().map(|l| l.lines().take(image::MAX_LINES).map(|x| bounded(x, 120)).collect()).unwrap_or_default();
        let edit = match (&self.i, self.p.as_deref().and_then(palette_from_hex)) {
            (Some(instruction), Some(palette)) => Some(image::Edit { instruction: bounded(instruction, 300), palette }),
            _ => None,
        };
        image::Picture { width: self.w, height: self.h, seed: self.s, title: bounded(&self.t, 200), lines, edit }
    }
}

async fn file(Path(file): Path<String>, Query(q): Query<FileQuery>) -> Response {
    if !(1..=8192).contains(&q.w) || !(1..=8192).contains(&q.h) {
        return not_found();
    }
    if file.ends_with(".png") {
        return png_file(q).await;
    }
    if !file.ends_with(".svg") {
        return not_found();
    }
    let title: String = q.t.chars().take(200).collect();
    let svg = image::render_svg(&title, q.w, q.h, q.s);
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
        ],
        svg,
    )
        .into_response()
}

async fn png_file(q: FileQuery) -> Response {
    // Encoding takes a few milliseconds of CPU: off the async workers.
    let picture = q.picture();
    let rendered = tokio::task::spawn_blocking(move || image::render(&picture)).await;
    match rendered {
        Ok(Ok(png)) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            png,
        )
            .into_response(),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

//! A fal-compatible queue emulator, served when no `FAL_KEY` is set.
//!
//! It speaks the same protocol the production client uses: submit returns all four URLs, status
//! moves IN_QUEUE → IN_PROGRESS → COMPLETED with time, the result is the model output, cancel
//! answers like fal, and the end of every job is announced by a webhook signed with the
//! emulator's own Ed25519 key, published as JWKS.
//!
//! Its pictures show what the brief asks (`brief` reads it, `words` says what is written,
//! `layout` arranges it, `image` draws it): the outline's title, subtitle and sections in the
//! chosen layout, the brand kit's colours and logo, a look that varies per submission, and text
//! in every language it can draw (Latin, Greek, Cyrillic; a note for the others). An edit draws
//! its source's words with the instruction's corrections. `openrouter/router` answers like the
//! text model, `openrouter/router/vision` reads an emulator picture's text back (`readback`),
//! and `fal-ai/ideogram/v3/layerize-text` turns an emulator picture's words into text layers over
//! the same picture drawn without them (`layerize`).
//!
//! The image models it serves (`models`: Nano Banana Pro and 2, Ideogram V3, Recraft V3 and
//! V4.1 vector, Seedream 4.5, with their edit endpoints) each check their input against their
//! own schema as fal publishes it (`schema`: a refusal is fal's 422 at submit time) and answer in
//! their own output shape; every picture is labelled with the endpoint that drew it, and the
//! vector model's is an SVG (`vector`). Any other app is drawn like Nano Banana Pro, unchecked.
//!
//! Prompt markers steer it (and are never drawn): `[emulator:fail]` (ERROR webhook),
//! `[emulator:nowebhook]` (completes silently), `[emulator:slow]` (takes ten times longer),
//! `[emulator:typo]` (the picture misspells one word and changes one number),
//! `[emulator:noreadback]` (a read-back of the picture never finishes), `[emulator:hostile-svg]`
//! (a vector picture's SVG carries a script, an `onload` handler and an external image).

mod brief;
mod files;
pub mod image;
mod job;
mod layerize;
mod layout;
mod models;
mod picture;
mod queue;
mod readback;
mod schema;
mod submit;
pub mod text;
mod vector;
mod webhook;
mod words;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_models;

pub use brief::corrections_of;
pub use readback::{drawn_text, injected_typo, transcription_of_url};
pub use words::{can_draw, Injected};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use ed25519_dalek::SigningKey;
use job::Job;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const PREFIX: &str = "/fal-emulator";
pub const EMULATOR_USER_ID: &str = "emulator-user";

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
            .route("/queue/{owner}/{app}", post(submit::submit_app))
            .route("/queue/{owner}/{app}/{*rest}", post(submit::submit_path))
            .route("/queue/{owner}/{app}/requests/{id}/status", get(queue::status))
            .route("/queue/{owner}/{app}/requests/{id}", get(queue::result))
            .route("/queue/{owner}/{app}/requests/{id}/cancel", put(queue::cancel))
            .route("/.well-known/jwks.json", get(queue::jwks))
            .route("/_emulator/submissions", get(queue::submissions))
            .route("/files/{file}", get(files::file))
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
}

/// A caller that presented the emulator's key; any other is answered like fal answers one
/// without a valid key, before the request is looked at.
struct Authorized;

impl FromRequestParts<Emulator> for Authorized {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, emu: &Emulator) -> Result<Self, Response> {
        match emu.authorized(&parts.headers) {
            true => Ok(Authorized),
            false => Err((StatusCode::UNAUTHORIZED, Json(json!({"detail": "Missing or invalid Authorization header"}))).into_response()),
        }
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({"detail": "Request not found"}))).into_response()
}

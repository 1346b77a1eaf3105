//! fal's submit: a request's input read as fal reads it (an edit downloads its source images),
//! filed as a job, its webhook sent when it ends, and the four URLs answered.

use super::job::{seed_of, Job, Scripted};
use super::{image, Authorized, Emulator};
use crate::model::{AspectRatio, Resolution};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[derive(Deserialize)]
pub(super) struct SubmitQuery {
    fal_webhook: Option<String>,
}

/// `POST {model}` or, with `EDIT`, `POST {model}/edit`, like fal's sub-path endpoints: an edit
/// is filed under the model's app id, so its status and result URLs have no `/edit` in them.
pub(super) async fn submit<const EDIT: bool>(
    State(emu): State<Emulator>,
    Path((owner, app)): Path<(String, String)>,
    Query(query): Query<SubmitQuery>,
    _: Authorized,
    body: Bytes,
) -> Response {
    accept(emu, format!("{owner}/{app}"), query, body, EDIT).await
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

async fn accept(emu: Emulator, model: String, query: SubmitQuery, body: Bytes, edit: bool) -> Response {
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

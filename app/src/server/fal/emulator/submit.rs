//! fal's submit: a request's input read as fal reads it (an edit downloads its source images, a
//! read-back reads its pictures), filed as a job, its webhook sent when it ends, and the four
//! URLs answered. Each submission gets its own variant (from its request id), so the pictures of
//! a batch (the same prompt submitted several times) look different with the same words.

use super::job::{seed_of, Job, Scripted};
use super::picture::logo_thumbnail;
use super::{brief, image, layerize, readback, words, Authorized, Emulator};
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

/// What a submission asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Generate,
    /// `…/edit`: change the attached images, or draw with them (a brand logo).
    Edit,
    /// `…/vision`: read the attached images back (see `readback`).
    Vision,
    /// `…/v3/layerize-text`: the attached image's words as layers (see `layerize`).
    Layerize,
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
    accept(emu, format!("{owner}/{app}"), query, body, if EDIT { Kind::Edit } else { Kind::Generate }).await
}

/// `POST {model}/vision` (fal's `openrouter/router/vision`): filed under the app id too.
pub(super) async fn submit_vision(
    State(emu): State<Emulator>,
    Path((owner, app)): Path<(String, String)>,
    Query(query): Query<SubmitQuery>,
    _: Authorized,
    body: Bytes,
) -> Response {
    accept(emu, format!("{owner}/{app}"), query, body, Kind::Vision).await
}

/// `POST {app}/v3/layerize-text` (fal's `fal-ai/ideogram/v3/layerize-text`): filed under the
/// app id, like fal's sub-path endpoints.
pub(super) async fn submit_layerize(
    State(emu): State<Emulator>,
    Path((owner, app)): Path<(String, String)>,
    Query(query): Query<SubmitQuery>,
    _: Authorized,
    body: Bytes,
) -> Response {
    accept(emu, format!("{owner}/{app}"), query, body, Kind::Layerize).await
}

fn unprocessable(loc: &[&str], msg: &str, kind: &str) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"detail": [{"loc": loc, "msg": msg, "type": kind}]}))).into_response()
}

/// Largest source image an edit downloads.
const MAX_SOURCE_BYTES: usize = 20 * 1024 * 1024;

/// An edit's first source image: its bytes, its colours, and what it shows when an emulator
/// drew it (from its URL, else from the spec inside the PNG).
struct Source {
    bytes: Bytes,
    palette: image::Palette,
    picture: Option<image::Picture>,
}

/// Downloads an edit's source images as fal would (every one must be an image).
async fn fetch_sources(emu: &Emulator, urls: &[String]) -> Result<Source, Scripted> {
    let mut first = None;
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
        let read = bytes.clone();
        let from_url = image::Picture::from_url(url);
        let (palette, picture) = tokio::task::spawn_blocking(move || (image::palette_of_image(&read), from_url.or_else(|| image::Picture::from_png(&read))))
            .await
            .map_err(|_| failed())?;
        let palette = palette.ok_or_else(failed)?;
        first = first.or(Some(Source { bytes, palette, picture }));
    }
    first.ok_or(Scripted::DownloadFailed { index: 0, url: String::new() })
}

/// The picture an image job draws: the brief's, or for a refinement its source's words with the
/// instruction's corrections (its look kept), or with the brand logo it was given.
async fn picture_for(emu: &Emulator, prompt: &str, sources: &[String], kind: Kind, size: (u32, u32), variant: u64) -> Result<image::Picture, Scripted> {
    let mut picture = image::Picture { width: size.0, height: size.1, variant, ..brief::picture_of(prompt) };
    if kind != Kind::Edit {
        return Ok(picture);
    }
    let source = fetch_sources(emu, sources).await?;
    if !brief::is_refinement(prompt) {
        if brief::wants_logo(prompt) {
            picture.logo = tokio::task::spawn_blocking(move || logo_thumbnail(&source.bytes)).await.ok().flatten();
        }
        return Ok(picture);
    }
    let corrections = brief::corrections_of(prompt);
    // A correction is its own change: no banner repeating the words being fixed.
    let instruction = if corrections.is_empty() { brief::instruction_of(prompt) } else { String::new() };
    let edit = Some(image::Edit { instruction, palette: source.palette });
    Ok(match source.picture {
        Some(drawn) => image::Picture {
            width: size.0,
            height: size.1,
            noreadback: picture.noreadback,
            edit,
            ..words::corrected(&drawn, &corrections)
        },
        // Not ours: its colours are kept, its words unknown but for the title the prompt names.
        None => image::Picture { lines: Vec::new(), edit, ..picture },
    })
}

async fn accept(emu: Emulator, model: String, query: SubmitQuery, body: Bytes, kind: Kind) -> Response {
    let input: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return unprocessable(&["body"], &e.to_string(), "json_invalid"),
    };
    // layerize-text's prompt is optional and its one image is `image_url`.
    let prompt = match input.get("prompt").and_then(Value::as_str) {
        Some(prompt) => prompt.to_string(),
        None if kind == Kind::Layerize => String::new(),
        None => return unprocessable(&["body", "prompt"], "Field required", "missing"),
    };
    let sources: Vec<String> = match kind {
        Kind::Layerize => input.get("image_url").and_then(Value::as_str).map(str::to_string).into_iter().collect(),
        _ => input
            .get("image_urls")
            .and_then(Value::as_array)
            .map(|urls| urls.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default(),
    };
    if kind != Kind::Generate && sources.is_empty() {
        let field = if kind == Kind::Layerize { "image_url" } else { "image_urls" };
        return unprocessable(&["body", field], "Field required", "missing");
    }
    // fal's LLM endpoint: a text answer, written by the outline heuristic (see `outline::llm`).
    let llm = kind == Kind::Generate && model == crate::server::outline::llm::ENDPOINT;
    if (llm || kind == Kind::Vision) && input.get("model").and_then(Value::as_str).is_none_or(str::is_empty) {
        return unprocessable(&["body", "model"], "Field required", "missing");
    }
    let answer = llm.then(|| {
        json!({"output": crate::server::outline::llm::emulated_answer(&prompt), "partial": false, "error": null,
            "usage": {"prompt_tokens": prompt.len() / 4, "completion_tokens": 400, "total_tokens": prompt.len() / 4 + 400, "cost": 0.0}})
    });
    let aspect: AspectRatio = input.get("aspect_ratio").and_then(Value::as_str).and_then(|s| s.parse().ok()).unwrap_or(AspectRatio::R1x1);
    let resolution: Resolution = input.get("resolution").and_then(Value::as_str).and_then(|s| s.parse().ok()).unwrap_or(Resolution::K1);
    let (width, height) = aspect.dimensions(resolution);
    let id = uuid::Uuid::new_v4().to_string();
    let fail = || if prompt.contains("[emulator:fail]") { Scripted::Fail } else { Scripted::Ok };
    let (picture, answer, ending, stuck) = match kind {
        Kind::Vision => match emu.read_back(&sources).await {
            Ok((text, never)) => (image::Picture::default(), Some(readback::answer(&text, &prompt)), fail(), never),
            Err(unreadable) => (image::Picture::default(), None, unreadable, false),
        },
        Kind::Layerize => match image::Picture::from_url(&sources[0]) {
            Some(drawn) => {
                let (background, file_name) = (emu.background_url(&id, &drawn), format!("{id}-background.png"));
                let (asked, seed) = (prompt.clone(), seed_of(&id));
                match tokio::task::spawn_blocking(move || layerize::output(&drawn, &background, &file_name, &asked, seed)).await {
                    Ok(output) => (image::Picture::default(), Some(output), fail(), false),
                    Err(_) => (image::Picture::default(), None, Scripted::NotLayerizable { url: sources[0].clone() }, false),
                }
            }
            None => (image::Picture::default(), None, Scripted::NotLayerizable { url: sources[0].clone() }, false),
        },
        _ if answer.is_some() => (image::Picture::default(), answer, fail(), false),
        _ => match picture_for(&emu, &prompt, &sources, kind, (width, height), seed_of(&id)).await {
            Ok(picture) => (picture, None, fail(), false),
            Err(failed) => (image::Picture { width, height, ..brief::picture_of(&prompt) }, None, failed, false),
        },
    };
    let slow = prompt.contains("[emulator:slow]");
    let job = Job {
        endpoint: match kind {
            Kind::Generate => model.clone(),
            Kind::Edit => format!("{model}/edit"),
            Kind::Vision => format!("{model}/vision"),
            Kind::Layerize => format!("{model}/{}", layerize::PATH),
        },
        image_urls: sources,
        model: model.clone(),
        picture,
        ending,
        // A model's text comes faster than a picture.
        duration: match (slow, answer.is_some() || matches!(kind, Kind::Vision | Kind::Layerize)) {
            (true, _) => emu.0.delay * 10,
            (false, true) => (emu.0.delay / 8).min(Duration::from_millis(500)),
            (false, false) => emu.0.delay,
        },
        answer,
        stuck,
        prompt,
        width,
        height,
        started: Instant::now(),
        cancelled: false,
        webhook: None,
    };
    let webhook = query.fal_webhook.clone().filter(|_| !job.prompt.contains("[emulator:nowebhook]") && !job.stuck);
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

//! fal's submit: a request's input read as fal reads it (a catalogued model's checked against
//! its own schema, see `models`; an edit downloads its source images, a read-back reads its
//! pictures), filed as a job, its webhook sent when it ends, and the four URLs answered. Each submission gets its own variant (from its request id), so the pictures of
//! a batch (the same prompt submitted several times) look different with the same words.

use super::job::{seed_of, Job, Scripted};
use super::picture::logo_thumbnail;
use super::models::{self, Output, SizeAsk, Sources};
use super::{brief, image, layerize, readback, schema, words, Authorized, Emulator};
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

/// `POST {owner}/{app}`: a catalogued endpoint (`fal-ai/nano-banana-pro`), or any other app as
/// a picture.
pub(super) async fn submit_app(
    State(emu): State<Emulator>,
    Path((owner, app)): Path<(String, String)>,
    Query(query): Query<SubmitQuery>,
    _: Authorized,
    body: Bytes,
) -> Response {
    dispatch(emu, format!("{owner}/{app}"), None, query, body).await
}

/// `POST {owner}/{app}/{rest}`: a catalogued endpoint (`fal-ai/ideogram/v3/remix`), or any app's
/// `/edit`, `/vision` or `/v3/layerize-text`. Like fal's sub-path endpoints, every request is
/// filed under the app id (`{owner}/{app}`), so its status and result URLs have no sub-path.
pub(super) async fn submit_path(
    State(emu): State<Emulator>,
    Path((owner, app, rest)): Path<(String, String, String)>,
    Query(query): Query<SubmitQuery>,
    _: Authorized,
    body: Bytes,
) -> Response {
    dispatch(emu, format!("{owner}/{app}"), Some(rest), query, body).await
}

async fn dispatch(emu: Emulator, app: String, rest: Option<String>, query: SubmitQuery, body: Bytes) -> Response {
    let path = rest.as_deref().map_or(app.clone(), |rest| format!("{app}/{rest}"));
    let endpoint = models::find(&path);
    let kind = match rest.as_deref() {
        _ if endpoint.is_some() => Kind::Generate,
        None => Kind::Generate,
        Some("edit") => Kind::Edit,
        Some("vision") => Kind::Vision,
        Some(sub) if sub == layerize::PATH => Kind::Layerize,
        Some(_) => return (StatusCode::NOT_FOUND, Json(json!({"detail": format!("Application '{path}' not found")}))).into_response(),
    };
    let input: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return (StatusCode::UNPROCESSABLE_ENTITY, Json(refusal(&["body"], &e.to_string(), "json_invalid"))).into_response(),
    };
    let asked = match endpoint {
        Some(endpoint) => catalogued(endpoint, input),
        None => lenient(path, input, kind),
    };
    match asked {
        Ok(asked) => accept(emu, app, query, asked).await,
        Err(refused) => (StatusCode::UNPROCESSABLE_ENTITY, Json(refused)).into_response(),
    }
}

/// The body of fal's 422 for one refusal.
fn refusal(loc: &[&str], msg: &str, kind: &str) -> Value {
    json!({"detail": [{"loc": loc, "msg": msg, "type": kind}]})
}

/// A submission once read: what to do, with what, and how to answer.
struct Asked {
    /// The endpoint's full path (`fal-ai/nano-banana-pro/edit`).
    endpoint: String,
    kind: Kind,
    prompt: String,
    sources: Vec<String>,
    size: SizeAsk,
    output: Output,
    /// The colours the input asks for (a palette), used when the brief names none.
    colours: Vec<[u8; 3]>,
    input: Value,
}

/// An input to a catalogued endpoint, checked against its schema as fal would: refused with
/// fal's 422 (its body the error) before any job exists.
fn catalogued(endpoint: &'static models::Endpoint, input: Value) -> Result<Asked, Value> {
    let refusals = endpoint.check(&input);
    if !refusals.is_empty() {
        return Err(schema::detail(&refusals));
    }
    let sources: Vec<String> = match endpoint.sources {
        Sources::None => Vec::new(),
        Sources::One(field) => input.get(field).and_then(Value::as_str).map(str::to_string).into_iter().collect(),
        Sources::List(field) => input.get(field).and_then(Value::as_array).map(|urls| urls.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default(),
    };
    Ok(Asked {
        endpoint: endpoint.path.to_string(),
        // Nano Banana 2's edit may be given a video, audio or PDF instead of images.
        kind: if sources.is_empty() { Kind::Generate } else { Kind::Edit },
        prompt: input.get("prompt").and_then(Value::as_str).unwrap_or_default().to_string(),
        sources,
        size: models::size_asked(endpoint, &input),
        output: endpoint.output,
        colours: models::colours_asked(&input),
        input,
    })
}

/// An input to any other app, read as the emulator always has: a prompt (optional for
/// layerize-text), `image_urls` for an edit or a read-back, `image_url` for layerize-text, a
/// `model` for a language model, and `aspect_ratio` + `resolution` for a picture.
fn lenient(endpoint: String, input: Value, kind: Kind) -> Result<Asked, Value> {
    let prompt = match input.get("prompt").and_then(Value::as_str) {
        Some(prompt) => prompt.to_string(),
        None if kind == Kind::Layerize => String::new(),
        None => return Err(refusal(&["body", "prompt"], "Field required", "missing")),
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
        return Err(refusal(&["body", field], "Field required", "missing"));
    }
    let llm = kind == Kind::Generate && endpoint == crate::server::outline::llm::ENDPOINT;
    if (llm || kind == Kind::Vision) && input.get("model").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err(refusal(&["body", "model"], "Field required", "missing"));
    }
    let aspect: AspectRatio = input.get("aspect_ratio").and_then(Value::as_str).and_then(|s| s.parse().ok()).unwrap_or(AspectRatio::R1x1);
    let resolution: Resolution = input.get("resolution").and_then(Value::as_str).and_then(|s| s.parse().ok()).unwrap_or(Resolution::K1);
    let (width, height) = aspect.dimensions(resolution);
    Ok(Asked { endpoint, kind, prompt, sources, size: SizeAsk::Fixed(width, height), output: Output::NanoBanana, colours: Vec::new(), input })
}

/// Largest source image an edit downloads.
const MAX_SOURCE_BYTES: usize = 20 * 1024 * 1024;

/// An edit's first source image: its bytes, its colours, its size, and what it shows when an
/// emulator drew it (from its URL, else from the spec inside the PNG).
struct Source {
    bytes: Bytes,
    palette: image::Palette,
    size: Option<(u32, u32)>,
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
        let (palette, picture, size) = tokio::task::spawn_blocking(move || {
            let picture = from_url.or_else(|| image::Picture::from_png(&read));
            // Ours say the size they were asked at; others are as large as they are.
            let size = picture.as_ref().map(|p| (p.width, p.height)).or_else(|| image::size_of_image(&read));
            (image::palette_of_image(&read), picture, size)
        })
        .await
        .map_err(|_| failed())?;
        let palette = palette.ok_or_else(failed)?;
        first = first.or(Some(Source { bytes, palette, size, picture }));
    }
    first.ok_or(Scripted::DownloadFailed { index: 0, url: String::new() })
}

/// The picture an image job draws: the brief's, or for a refinement its source's words with the
/// instruction's corrections (its look kept), or with the brand logo it was given; its size as
/// asked, or its source's.
async fn picture_for(emu: &Emulator, prompt: &str, sources: &[String], kind: Kind, ask: SizeAsk, variant: u64) -> Result<image::Picture, Scripted> {
    let (width, height) = ask.resolve(None);
    let mut picture = image::Picture { width, height, variant, ..brief::picture_of(prompt) };
    if kind != Kind::Edit {
        return Ok(picture);
    }
    let source = fetch_sources(emu, sources).await?;
    (picture.width, picture.height) = ask.resolve(source.size);
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
            width: picture.width,
            height: picture.height,
            noreadback: picture.noreadback,
            hostile: picture.hostile,
            edit,
            ..words::corrected(&drawn, &corrections)
        },
        // Not ours: its colours are kept, its words unknown but for the title the prompt names.
        None => image::Picture { lines: Vec::new(), edit, ..picture },
    })
}

/// Files the job and answers like fal's submit.
async fn accept(emu: Emulator, model: String, query: SubmitQuery, asked: Asked) -> Response {
    let Asked { endpoint, kind, prompt, sources, size, output, colours, input } = asked;
    // fal's LLM endpoint: a text answer, written by the outline heuristic (see `outline::llm`).
    let llm = kind == Kind::Generate && endpoint == crate::server::outline::llm::ENDPOINT;
    let answer = llm.then(|| {
        json!({"output": crate::server::outline::llm::emulated_answer(&prompt), "partial": false, "error": null,
            "usage": {"prompt_tokens": prompt.len() / 4, "completion_tokens": 400, "total_tokens": prompt.len() / 4 + 400, "cost": 0.0}})
    });
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
        _ => {
            let (drawn, ending) = match picture_for(&emu, &prompt, &sources, kind, size, seed_of(&id)).await {
                Ok(picture) => (picture, fail()),
                Err(failed) => {
                    let (width, height) = size.resolve(None);
                    (image::Picture { width, height, ..brief::picture_of(&prompt) }, failed)
                }
            };
            // The picture says which model drew it; a vector model's is an SVG.
            let brand = if drawn.brand.is_empty() { colours } else { drawn.brand.clone() };
            let picture = image::Picture { model: endpoint.clone(), vector: output == Output::Vector, brand, ..drawn };
            (picture, None, ending, false)
        }
    };
    let (width, height) = match kind {
        Kind::Generate | Kind::Edit if answer.is_none() => (picture.width, picture.height),
        _ => size.resolve(None),
    };
    let slow = prompt.contains("[emulator:slow]");
    let job = Job {
        endpoint,
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
        input,
        output,
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

//! fal's queue protocol after the submit (`submit`): status, result and cancel with fal's
//! answers, the key webhooks are signed with, and the emulator's own list of what it accepted.

use super::job::{seed_of, Job, Scripted};
use super::models::Output;
use super::{image, not_found, vector, Authorized, Emulator};
use crate::server::fal::signature::jwks_for;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// `{owner}/{app}/requests/{id}`: the request a status, result or cancel call is about.
type RequestPath = Path<(String, String, String)>;

impl Emulator {
    pub(super) fn request_urls(&self, model: &str, id: &str) -> Value {
        let base = format!("{}/queue/{model}/requests/{id}", self.0.base_url);
        json!({
            "request_id": id,
            "response_url": base,
            "status_url": format!("{base}/status"),
            "cancel_url": format!("{base}/cancel"),
        })
    }

    pub(super) fn output(&self, id: &str, job: &Job) -> Value {
        if let Some(answer) = &job.answer {
            return answer.clone();
        }
        // The size of the file served, which may be smaller than asked (see image::rendered_size).
        let (width, height) = image::rendered_size(job.width, job.height);
        let mut file = json!({"url": self.image_url(id, job), "content_type": "image/png", "file_name": format!("{id}.png")});
        if matches!(job.output, Output::NanoBanana | Output::Seedream | Output::SeedreamEdit) {
            (file["width"], file["height"]) = (json!(width), json!(height));
        }
        if job.output == Output::Vector {
            let size = vector::render(&job.picture).len();
            (file["content_type"], file["file_name"], file["file_size"]) = (json!("image/svg+xml"), json!("image.svg"), json!(size));
        }
        let seed = seed_of(id) % (1 << 31);
        match job.output {
            Output::NanoBanana => json!({"images": [file], "description": image::title_of(&job.prompt)}),
            Output::Ideogram | Output::Seedream => json!({"images": [file], "seed": seed}),
            Output::Recraft | Output::Vector | Output::SeedreamEdit => json!({"images": [file]}),
        }
    }

    pub(super) fn failure_payload(ending: &Scripted) -> Value {
        match ending {
            Scripted::DownloadFailed { index, url } => json!({"detail": [{
                "loc": ["body", "image_urls", index], "msg": format!("Failed to download the file from {url}"),
                "type": "file_download_error", "url": url,
            }]}),
            Scripted::Unreadable { index, url } => json!({"detail": [{
                "loc": ["body", "image_urls", index],
                "msg": format!("The emulator could not read the image at {url}: it reads back only pictures an emulator drew."),
                "type": "image_unreadable", "url": url,
            }]}),
            Scripted::NotLayerizable { url } => json!({"detail": [{
                "loc": ["body", "image_url"],
                "msg": format!("The emulator could not layerize the image at {url}: it reads only pictures an emulator drew."),
                "type": "image_unreadable", "url": url,
            }]}),
            _ => json!({"detail": [{"loc": ["body", "prompt"], "msg": "The emulator was asked to fail this job ([emulator:fail]).", "type": "emulator_failure"}]}),
        }
    }
}

pub(super) async fn status(
    State(emu): State<Emulator>,
    _: Authorized,
    Path((_owner, _app, id)): RequestPath,
) -> Response {
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

pub(super) async fn result(
    State(emu): State<Emulator>,
    _: Authorized,
    Path((_owner, _app, id)): RequestPath,
) -> Response {
    let Some(job) = emu.job(&id) else { return not_found() };
    match (job.status(), &job.ending, job.cancelled) {
        ("COMPLETED", Scripted::Ok, false) => (StatusCode::OK, Json(emu.output(&id, &job))).into_response(),
        ("COMPLETED", ending, _) => (StatusCode::UNPROCESSABLE_ENTITY, Json(Emulator::failure_payload(ending))).into_response(),
        _ => (StatusCode::BAD_REQUEST, Json(json!({"detail": "Request is still in progress"}))).into_response(),
    }
}

pub(super) async fn cancel(
    State(emu): State<Emulator>,
    _: Authorized,
    Path((_owner, _app, id)): RequestPath,
) -> Response {
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
/// the endpoint and input it was given and its webhook URL, so tests can prove each job was
/// submitted exactly once, and to which model with what.
pub(super) async fn submissions(State(emu): State<Emulator>, _: Authorized) -> Response {
    let Ok(jobs) = emu.0.jobs.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let list: Vec<Value> = jobs
        .iter()
        .map(|(id, job)| json!({
            "request_id": id, "model": job.model, "endpoint": job.endpoint, "image_urls": job.image_urls,
            "prompt": job.prompt, "webhook": job.webhook, "input": job.input,
        }))
        .collect();
    Json(json!({ "count": list.len(), "submissions": list })).into_response()
}

pub(super) async fn jwks(State(emu): State<Emulator>) -> Response {
    Json(jwks_for(&emu.0.key.verifying_key())).into_response()
}

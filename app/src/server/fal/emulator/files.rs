//! The images the emulator hands out: each URL carries everything needed to draw its picture
//! (see `picture`), and `/files/…` draws it: a PNG, or an SVG for a vector model. Its SVGs are
//! served with a policy that runs nothing, as a hostile one (`[emulator:hostile-svg]`) asks.

use super::job::Job;
use super::{image, not_found, vector, Emulator};
use axum::extract::{Path, RawQuery};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

impl Emulator {
    /// The image URL carries everything needed to draw it, so images keep rendering after the
    /// emulator (an in-memory service) restarts, as fal's media URLs outlive their jobs.
    pub(super) fn image_url(&self, id: &str, job: &Job) -> String {
        let extension = if job.picture.vector { "svg" } else { "png" };
        format!("{}/files/{id}.{extension}?{}", self.0.media_url, job.picture.to_query())
    }
}

pub(super) async fn file(Path(file): Path<String>, RawQuery(query): RawQuery) -> Response {
    let Some(picture) = query.as_deref().and_then(image::Picture::from_query) else { return not_found() };
    if file.ends_with(".png") {
        return png_file(picture).await;
    }
    if !file.ends_with(".svg") {
        return not_found();
    }
    // A vector model's picture, else an image URL minted before PNGs.
    let svg = match picture.vector {
        true => vector::render(&picture),
        false => image::render_svg(&picture.title, picture.width, picture.height, picture.seed),
    };
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; sandbox"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        svg,
    )
        .into_response()
}

async fn png_file(picture: image::Picture) -> Response {
    // Encoding takes a few milliseconds of CPU: off the async workers.
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

//! The images the emulator hands out: each URL carries everything needed to draw its picture,
//! and `/files/…` draws it.

use super::{image, not_found, Emulator};
use super::job::Job;
use axum::extract::{Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

impl Emulator {
    /// The image URL carries everything needed to draw it, so images keep rendering after the
    /// emulator (an in-memory service) restarts, as fal's media URLs outlive their jobs.
    pub(super) fn image_url(&self, id: &str, job: &Job) -> String {
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
}

#[derive(Deserialize)]
pub(super) struct FileQuery {
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

pub(super) async fn file(Path(file): Path<String>, Query(q): Query<FileQuery>) -> Response {
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

//! The landing page's example infographics (`model::showcase::EXAMPLES`), drawn once per process
//! by the fal emulator's renderer, the same one tests and `make run` get their images from, and
//! kept in memory as JPEG and WebP (a few tens of KB each). Drawn in the background at start, so
//! the first visitor does not wait for them.

use crate::model::showcase::{Example, EXAMPLES};
use crate::server::delivery::renditions::{self, Format};
use crate::server::fal::emulator::image::{render, Picture};
use bytes::Bytes;
use std::sync::OnceLock;

/// One example, encoded.
pub struct Drawn {
    pub jpeg: Bytes,
    pub webp: Bytes,
}

static DRAWN: OnceLock<Vec<Option<Drawn>>> = OnceLock::new();

/// Draws every example now, if not done yet (blocking: call it off the async runtime).
pub fn draw_all() -> &'static [Option<Drawn>] {
    DRAWN.get_or_init(|| EXAMPLES.iter().map(|e| draw(e).map_err(|error| tracing::error!(%error, example = e.slug, "cannot draw an example")).ok()).collect())
}

/// Starts drawing in the background.
pub fn warm_up() {
    tokio::task::spawn_blocking(draw_all);
}

/// The bytes and content type of `/examples/<slug>.<extension>`.
pub async fn file(slug: &str, extension: &str) -> Option<(&'static str, Bytes)> {
    let index = EXAMPLES.iter().position(|e| e.slug == slug)?;
    let drawn = tokio::task::spawn_blocking(draw_all).await.ok()?.get(index)?.as_ref()?;
    match extension {
        "jpg" => Some(("image/jpeg", drawn.jpeg.clone())),
        "webp" => Some(("image/webp", drawn.webp.clone())),
        _ => None,
    }
}

fn draw(example: &Example) -> Result<Drawn, image::ImageError> {
    let picture = Picture {
        width: example.width,
        height: example.height,
        seed: example.seed,
        title: example.title.to_string(),
        lines: example.lines.iter().map(|l| l.to_string()).collect(),
        ..Picture::default()
    };
    let pixels = image::load_from_memory(&render(&picture)?)?;
    let encoded = |format| renditions::encode(&pixels, format).map_err(|e| image::ImageError::IoError(std::io::Error::other(e)));
    let (jpeg, webp) = (encoded(Format::Jpeg)?, encoded(Format::WebP)?);
    Ok(Drawn { jpeg: jpeg.into(), webp: webp.into() })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_example_is_drawn_at_its_size_in_both_formats() {
        for (example, drawn) in super::EXAMPLES.iter().zip(super::draw_all()) {
            let drawn = drawn.as_ref().expect("drawn");
            for bytes in [&drawn.jpeg, &drawn.webp] {
                let img = image::load_from_memory(bytes).expect("decodes");
                assert_eq!((img.width(), img.height()), (example.width, example.height), "{}", example.slug);
            }
            println!("{}: jpeg {} B, webp {} B", example.slug, drawn.jpeg.len(), drawn.webp.len());
        }
    }
}

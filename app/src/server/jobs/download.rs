//! Downloads: the owner's finished image as a file, with a name made from its prompt.

use super::repo;
use crate::errors::AppError;
use crate::model::JobStatus;
use crate::server::accounts::users::UserRow;
use crate::server::delivery::files::{self, ByteStream};
use crate::server::delivery::renditions::{self, Format, Rendition, Size};
use crate::server::delivery::{storage, vector};
use crate::server::platform::state::AppState;
use bytes::Bytes;

/// Each fallback download buffers a whole image: a few at a time per instance, so parallel
/// downloads cannot exhaust memory (the stored copy, the normal case, is streamed).
static FALLBACK_DOWNLOADS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// An image to hand to the browser as a file.
pub struct Download {
    pub content_type: &'static str,
    pub file_name: String,
    pub contents: Contents,
}

/// A download's bytes: streamed from our storage, or already in memory (fetched from fal's URL,
/// or a rendition made from that).
pub enum Contents {
    Stream(ByteStream),
    Bytes(Bytes),
}

/// Which file to hand over: the image as stored, or another format and/or width of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DownloadAs {
    pub format: Option<Format>,
    pub width: Option<u32>,
}

impl DownloadAs {
    /// The rendition of the image whose content hash is `hash` and whose own format is
    /// `stored`; `None`: the image itself.
    fn rendition(self, hash: &str, stored: Format) -> Option<Rendition> {
        let size = self.width.map_or(Size::Full, Size::Width);
        let format = self.format.unwrap_or(stored);
        (size != Size::Full || format != stored).then(|| Rendition { hash: hash.to_string(), size, format })
    }

    /// The same for a vector picture: any format or width asked for is a raster rendition (PNG
    /// unless said); `None`: the SVG itself.
    fn vector_rendition(self, hash: &str) -> Option<Rendition> {
        let size = self.width.map_or(Size::Full, Size::Width);
        (self != Self::default()).then(|| Rendition { hash: hash.to_string(), size, format: self.format.unwrap_or(Format::Png) })
    }
}

/// fal's SVG, sanitised: the SVG itself when that is what is asked, else its PNG at the size the
/// copier draws (which any other format or width is then made from, as for a raster picture).
async fn vector_now(bytes: Bytes, wanted: DownloadAs) -> Result<(bool, Bytes), storage::ImageError> {
    tokio::task::spawn_blocking(move || {
        let svg = vector::sanitize_svg(&bytes)?;
        if wanted == DownloadAs::default() {
            return Ok((true, Bytes::from(svg.text().to_string())));
        }
        Ok((false, Bytes::from(vector::render_png(&svg, vector::RASTER_EDGE)?)))
    })
    .await
    .map_err(|_| storage::ImageError::Decode("the SVG could not be drawn".into()))?
}

/// A vector picture's sanitised SVG, as `?format=svg` asks; `None` for a raster picture (whose
/// SVG, if it has editable text, is `server::layers::export`'s to make).
pub async fn vector_svg(state: &AppState, owner: &UserRow, id: &str) -> Result<Option<Download>, AppError> {
    let row = repo::owned(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)?;
    if !state.models.of_job(row.model.as_deref()).vector || row.layers.is_some() {
        return Ok(None);
    }
    download(state, owner, id, DownloadAs::default()).await.map(Some)
}

/// Streamed from our storage once copied (another format or width is made, and kept, on the
/// first request); before that, fetched from fal's URL under the same rules as the copier.
pub async fn download(state: &AppState, owner: &UserRow, id: &str, wanted: DownloadAs) -> Result<Download, AppError> {
    let row = repo::owned(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)?;
    let url = row
        .image_url
        .as_deref()
        .filter(|_| row.status() == JobStatus::Completed)
        .ok_or_else(|| AppError::Conflict("this infograph has no image yet".into()))?;
    let stored = repo::stored_keys(&state.db, Some(&owner.id), &row.id).await?.and_then(|(image, _)| image);
    let (content_type, contents) = match stored {
        Some(key) => {
            let name = key.rsplit('/').next().unwrap_or_default();
            let extension = name.rsplit('.').next().unwrap_or_default();
            let own_format = Format::parse(extension).unwrap_or(Format::Png);
            let rendition = match extension {
                "svg" => wanted.vector_rendition(renditions::hash_of(name)),
                _ => wanted.rendition(renditions::hash_of(name), own_format),
            };
            let file = rendition.map_or_else(|| name.to_string(), |r| r.file_name());
            let found = files::media_file(&state.db, Some(&owner.id), &row.id, &file).await?.ok_or(AppError::NotFound)?;
            let content_type = found.content_type();
            let (_, stream) = files::open(&state.storage, &state.config.storage, found).await.map_err(|e| {
                tracing::error!(infograph = %row.id, error = %e, "a stored image could not be read");
                AppError::Internal
            })?;
            (content_type, Contents::Stream(stream))
        }
        None => {
            let unavailable = |e: storage::ImageError| {
                tracing::warn!(infograph = %row.id, error = %e, "could not fetch an image for download");
                AppError::Upstream("the image could not be fetched; try again later".into())
            };
            let _slot = FALLBACK_DOWNLOADS.acquire().await.map_err(|_| AppError::Internal)?;
            let policy = state.config.fetch_policy();
            let bytes = storage::fetch_image(&state.storage, url, &policy, state.config.storage.max_bytes)
                .await
                .map_err(unavailable)?;
            // A vector picture not copied yet: sanitised here as the copier will (never served
            // as fal sent it), or drawn to a PNG when another format is asked.
            let bytes = match vector::looks_like_svg(&bytes) {
                true => match vector_now(bytes, wanted).await.map_err(unavailable)? {
                    (true, svg) => {
                        return Ok(Download { content_type: "image/svg+xml", file_name: file_name(&row.name(), &row.id, None, "svg"), contents: Contents::Bytes(svg) })
                    }
                    (false, png) => png,
                },
                false => bytes,
            };
            let inspected = storage::inspect(&bytes).map_err(unavailable)?;
            let own_format = Format::parse(inspected.extension()).unwrap_or(Format::Png);
            match wanted.rendition("", own_format) {
                Some(rendition) => {
                    let content_type = rendition.content_type();
                    let _turn = renditions::turn().await.map_err(unavailable)?;
                    let made = renditions::make(bytes, rendition, state.config.storage.thumbnail_edge).await.map_err(unavailable)?;
                    (content_type, Contents::Bytes(made))
                }
                None => (inspected.content_type(), Contents::Bytes(bytes)),
            }
        }
    };
    let ext = match content_type {
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "image/svg+xml" => "svg",
        _ => "png",
    };
    let width = wanted.width.map(|w| format!("{w}px"));
    Ok(Download { content_type, file_name: file_name(&row.name(), &row.id, width.as_deref(), ext), contents })
}

/// `infograph-<title words>-<id prefix>[-<suffix>].<ext>`: readable in a downloads folder, safe
/// in a `Content-Disposition` header (ASCII letters, digits and dashes only), unique per
/// infograph and size.
pub fn file_name(title: &str, id: &str, suffix: Option<&str>, ext: &str) -> String {
    let mut slug = String::new();
    for word in title.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if slug.len() + word.len() > 48 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    let mut short: String = id.chars().filter(char::is_ascii_alphanumeric).take(8).collect();
    if let Some(suffix) = suffix.filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric())) {
        short.push_str(&format!("-{suffix}"));
    }
    match slug.is_empty() {
        true => format!("infograph-{short}.{ext}"),
        false => format!("infograph-{slug}-{short}.{ext}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_safe_and_readable() {
        assert_eq!(
            file_name("Q3 sales: \"growth\" / résumé!", "0a1b2c3d-4e5f", None, "png"),
            "infograph-q3-sales-growth-r-sum-0a1b2c3d.png"
        );
        assert_eq!(file_name("日本語", "abc", None, "jpg"), "infograph-abc.jpg");
        assert_eq!(file_name("Rain", "abc", Some("600px"), "webp"), "infograph-rain-abc-600px.webp");
        let long = file_name(&"word ".repeat(100), "id", None, "png");
        assert!(long.len() < 70, "{long}");
        let sized = file_name(&"word ".repeat(100), "0a1b2c3d-4e5f", Some("1200px"), "webp");
        assert!(sized.len() <= 80 && sized.ends_with("-0a1b2c3d-1200px.webp"), "{sized}");
    }

    #[test]
    fn a_vector_picture_downloads_as_itself_unless_a_format_or_width_is_asked() {
        let file = |wanted: DownloadAs| wanted.vector_rendition("ab").map(|r| r.file_name());
        assert_eq!(file(DownloadAs::default()), None, "the sanitised SVG");
        assert_eq!(file(DownloadAs { format: Some(Format::Png), width: None }).as_deref(), Some("ab.png"));
        assert_eq!(file(DownloadAs { format: None, width: Some(600) }).as_deref(), Some("ab-w600.png"));
        assert_eq!(file(DownloadAs { format: Some(Format::WebP), width: Some(1200) }).as_deref(), Some("ab-w1200.webp"));
    }
}

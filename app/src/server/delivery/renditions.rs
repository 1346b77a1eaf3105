//! Other sizes and formats of a stored image: the gallery thumbnail in JPEG and WebP, the gallery's
//! wider renditions, and the downloads people ask for (PNG, JPEG or WebP; full size, 1200 or 600
//! px wide). Each is named after the original's content hash (`<hash>-thumb.webp`,
//! `<hash>-w600.jpg`, `<hash>.webp`), so its name says which image it was made from, and it is
//! made once, on first request (or by the copier, for thumbnails), then kept in storage beside
//! the original.
//!
//! Making one decodes a whole image, so it is bounded: the original's dimensions were checked
//! when it was stored (`storage::MAX_DIMENSION`), decoding honours the same limits, and at most
//! [`MAX_AT_ONCE`] renditions are made at a time per instance.

use super::storage::{self, ImageError, Inspected, MAX_DIMENSION};
use bytes::Bytes;
use image::DynamicImage;
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// The widths made besides the full size: the downloads' and the gallery's.
fn is_offered(width: u32) -> bool {
    crate::model::share::DOWNLOAD_WIDTHS.contains(&width) || crate::model::GALLERY_WIDTHS.contains(&width)
}
const JPEG_QUALITY: u8 = 82;
/// libwebp's quality scale (0–100): about a third smaller than the JPEG at the same look.
const WEBP_QUALITY: f32 = 78.0;
/// Renditions made at once per instance: each holds a decoded image (up to 256 MB at 8192²).
const MAX_AT_ONCE: usize = 2;
static MAKING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(MAX_AT_ONCE));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
    WebP,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::WebP => "webp",
        }
    }

    pub fn parse(extension: &str) -> Option<Self> {
        match extension {
            "png" => Some(Self::Png),
            "jpg" => Some(Self::Jpeg),
            "webp" => Some(Self::WebP),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// The gallery's: the long edge at most `THUMBNAIL_EDGE`.
    Thumb,
    /// A download or gallery width (never upscaled).
    Width(u32),
    Full,
}

impl Size {
    /// The size of this rendition of a `width` × `height` image (as [`resized`] makes it).
    pub fn dimensions(self, width: u32, height: u32, thumb_edge: u32) -> (u32, u32) {
        match self {
            Self::Thumb if width.max(height) > thumb_edge => {
                // As image's `thumbnail`: the aspect ratio kept within the box, rounded.
                let scale = f64::from(thumb_edge) / f64::from(width.max(height));
                (((f64::from(width) * scale).round() as u32).max(1), ((f64::from(height) * scale).round() as u32).max(1))
            }
            Self::Width(w) if width > w => (w, (u64::from(height) * u64::from(w) / u64::from(width)).max(1) as u32),
            _ => (width, height),
        }
    }
}

/// One rendition of the stored image whose content hash is `hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    pub hash: String,
    pub size: Size,
    pub format: Format,
}

impl Rendition {
    /// `<hash>-thumb.<ext>`, `<hash>-w<width>.<ext>` or `<hash>.<ext>`; anything else is none.
    pub fn parse(file: &str) -> Option<Self> {
        let (stem, extension) = file.rsplit_once('.')?;
        let format = Format::parse(extension)?;
        let (hash, size) = match stem.split_once('-') {
            None => (stem, Size::Full),
            Some((hash, "thumb")) => (hash, Size::Thumb),
            Some((hash, width)) => {
                let width = width.strip_prefix('w')?.parse().ok().filter(|w| is_offered(*w))?;
                (hash, Size::Width(width))
            }
        };
        let hex = !hash.is_empty() && hash.len() <= 64 && hash.chars().all(|c| c.is_ascii_hexdigit());
        hex.then(|| Self { hash: hash.to_string(), size, format })
    }

    pub fn file_name(&self) -> String {
        let ext = self.format.extension();
        match self.size {
            Size::Thumb => format!("{}-thumb.{ext}", self.hash),
            Size::Width(w) => format!("{}-w{w}.{ext}", self.hash),
            Size::Full => format!("{}.{ext}", self.hash),
        }
    }

    pub fn content_type(&self) -> &'static str {
        storage::content_type_of(self.format.extension())
    }
}

/// The content hash a stored file's name starts with (`<hash>.png` → `<hash>`).
pub fn hash_of(file_name: &str) -> &str {
    let stem = file_name.rsplit('/').next().unwrap_or(file_name);
    stem.split(['.', '-']).next().unwrap_or_default()
}

/// A turn to decode an image: at most [`MAX_AT_ONCE`] at a time per instance, whatever asks
/// (renditions, logos), so hostile requests cannot hold more decoded images than that.
pub async fn turn() -> Result<tokio::sync::SemaphorePermit<'static>, ImageError> {
    MAKING.acquire().await.map_err(|_| ImageError::Encode("shutting down".into()))
}

/// Makes `rendition` from the original's bytes, off the async runtime. The caller holds a
/// [`turn`].
pub async fn make(original: Bytes, rendition: Rendition, thumb_edge: u32) -> Result<Bytes, ImageError> {
    tokio::task::spawn_blocking(move || {
        let inspected = storage::inspect(&original)?;
        let decoded = decode(&original, &inspected)?;
        encode(&resized(decoded, rendition.size, thumb_edge), rendition.format).map(Bytes::from)
    })
    .await
    .map_err(|_| ImageError::Encode("the rendition panicked".into()))?
}

/// Both gallery thumbnails (JPEG, WebP) from one decode: what the copier stores with the image.
pub fn thumbnails(bytes: &[u8], inspected: &Inspected, edge: u32) -> Result<(Vec<u8>, Vec<u8>), ImageError> {
    let small = resized(decode(bytes, inspected)?, Size::Thumb, edge);
    Ok((encode(&small, Format::Jpeg)?, encode(&small, Format::WebP)?))
}

/// Decodes within the dimensions we accept and image's default allocation limit.
fn decode(bytes: &[u8], inspected: &Inspected) -> Result<DynamicImage, ImageError> {
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), inspected.format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    reader.limits(limits);
    reader.decode().map_err(|e| ImageError::Decode(e.to_string()))
}

/// Never upscaled: a size larger than the image is the image.
fn resized(image: DynamicImage, size: Size, thumb_edge: u32) -> DynamicImage {
    match size {
        Size::Thumb if image.width().max(image.height()) > thumb_edge => image.thumbnail(thumb_edge, thumb_edge),
        Size::Width(_) => {
            let (w, h) = size.dimensions(image.width(), image.height(), thumb_edge);
            if w == image.width() {
                image
            } else {
                image.resize_exact(w, h, image::imageops::FilterType::Lanczos3)
            }
        }
        _ => image,
    }
}

/// Encodes an image; JPEG and WebP drop the alpha channel (infographics are opaque).
pub fn encode(image: &DynamicImage, format: Format) -> Result<Vec<u8>, ImageError> {
    let failed = |e: &dyn std::fmt::Display| ImageError::Encode(e.to_string());
    let mut out = Vec::new();
    match format {
        Format::Png => image.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).map_err(|e| failed(&e))?,
        Format::Jpeg => image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
            .encode_image(&image.to_rgb8())
            .map_err(|e| failed(&e))?,
        // image's own WebP encoder is lossless only (larger than the JPEG for pictures):
        // libwebp's lossy encoder is what makes WebP worth offering.
        Format::WebP => {
            let rgb = image.to_rgb8();
            let encoded = webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height()).encode(WEBP_QUALITY);
            out.extend_from_slice(&encoded);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut img = image::RgbImage::new(w, h);
        for (x, y, p) in img.enumerate_pixels_mut() {
            *p = image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8]);
        }
        encode(&DynamicImage::ImageRgb8(img), Format::Png).expect("png")
    }

    #[test]
    fn names_round_trip_and_anything_else_is_refused() {
        for name in ["0a1b-thumb.webp", "0a1b-thumb.jpg", "0a1b-w600.png", "0a1b-w1200.webp", "0a1b.jpg"] {
            assert_eq!(Rendition::parse(name).expect(name).file_name(), name);
        }
        for bad in ["0a1b-w900.png", "0a1b-thumb.gif", "zz.png", "-thumb.jpg", "0a1b-x.png", "0a1b.svg", "0a1b-w600"] {
            assert!(Rendition::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(hash_of("infographs/x/0a1b.png"), "0a1b");
        assert_eq!(hash_of("0a1b-thumb.jpg"), "0a1b");
    }

    #[tokio::test]
    async fn renditions_have_their_size_and_format_and_are_never_upscaled() {
        let original = Bytes::from(png(1600, 900));
        let cases = [
            (Size::Thumb, Format::WebP, (400, 225), image::ImageFormat::WebP),
            (Size::Width(600), Format::Jpeg, (600, 337), image::ImageFormat::Jpeg),
            (Size::Width(1200), Format::Png, (1200, 675), image::ImageFormat::Png),
            (Size::Full, Format::WebP, (1600, 900), image::ImageFormat::WebP),
        ];
        for (size, format, dims, sniffed) in cases {
            let _turn = turn().await.expect("a turn");
            let bytes = make(original.clone(), Rendition { hash: "ab".into(), size, format }, 400).await.expect("made");
            let i = storage::inspect(&bytes).expect("an image");
            assert_eq!((i.format, i.width, i.height), (sniffed, dims.0, dims.1), "{size:?} {format:?}");
            assert_eq!(size.dimensions(1600, 900, 400), dims, "the size is known without making it");
        }
        let small = Bytes::from(png(500, 300));
        let bytes = make(small, Rendition { hash: "ab".into(), size: Size::Width(1200), format: Format::Jpeg }, 400).await.expect("made");
        let i = storage::inspect(&bytes).expect("an image");
        assert_eq!((i.width, i.height), (500, 300));
    }

    #[test]
    fn thumbnails_are_small_and_never_upscaled() {
        let big = png(1000, 500);
        let (jpeg, webp) = thumbnails(&big, &storage::inspect(&big).expect("png"), 400).expect("thumbs");
        for (bytes, format) in [(&jpeg, image::ImageFormat::Jpeg), (&webp, image::ImageFormat::WebP)] {
            let t = storage::inspect(bytes).expect("an image");
            assert_eq!((t.format, t.width, t.height), (format, 400, 200));
        }
        let small = png(100, 50);
        let (jpeg, _) = thumbnails(&small, &storage::inspect(&small).expect("png"), 400).expect("thumbs");
        let t = storage::inspect(&jpeg).expect("jpeg");
        assert_eq!((t.width, t.height), (100, 50));
    }

    #[test]
    fn the_webp_thumbnail_is_smaller_than_the_jpeg() {
        let original = png(1200, 800);
        let (jpeg, webp) = thumbnails(&original, &storage::inspect(&original).expect("png"), 400).expect("thumbs");
        assert!(webp.len() < jpeg.len(), "webp {} B, jpeg {} B", webp.len(), jpeg.len());
    }
}

//! Images that last: every completed job's image is copied from fal into our own object store
//! (the local filesystem under the data dir, or S3-compatible storage with `STORAGE_URL=s3://…`),
//! checked (content type sniffed from the bytes, size cap, dimensions from the header), given
//! small JPEG and WebP thumbnails (`renditions`), and served from our URL.
//!
//! The copy itself is a background task (`delivery::copier`), never part of a webhook answer.
//!
//! Serving policy: **owner-only**. `/media/{id}/{file}` answers only the job's owner (session
//! cookie or `Authorization: Token`); anyone else gets 404, an anonymous caller 401. Why not
//! unguessable public URLs: infograph ids travel in webhook and status URLs, a leaked image URL
//! (a pasted link, a referer, a proxy log) would expose a private image forever, and a capability
//! URL cannot be revoked. The cost is that the cache is the browser's (`private`), not a CDN's;
//! file names are content hashes, so that cache may keep them forever (`immutable`).

use crate::server::blog::fetch::{self, FetchPolicy};
use crate::server::platform::config::{Config, StorageConfig};
use crate::server::platform::queue::Wake;
use crate::server::platform::signing::Signer;
use bytes::Bytes;
use futures::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::sync::Arc;
use std::time::Duration;

/// A stored object's bytes as they are read.
pub type ByteStream = futures::stream::BoxStream<'static, Result<Bytes, object_store::Error>>;

/// The URL prefix our stored images are served under.
pub const MEDIA_PREFIX: &str = "/media";
/// Largest width or height we accept (and decode for a thumbnail): fal's 4K is 4096 on the long
/// side; anything beyond this is not an image we asked for (or a decompression bomb).
pub const MAX_DIMENSION: u32 = 8192;
/// Total time for fetching one image from fal.
const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

/// The object store and what the copier needs besides the database.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// Human-readable backend, for logs (never credentials).
    pub describe: String,
    /// `(public prefix, local prefix)` of the embedded emulator's files: those URLs are ours, on
    /// loopback, and fetched directly from this process rather than through the address policy.
    emulator_files: Option<(String, String)>,
    /// Wakes the copier (a job just completed) instead of at its next idle poll.
    pub wake: Wake,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").field("backend", &self.describe).finish()
    }
}

impl Storage {
    /// Opens the configured backend: S3-compatible for `STORAGE_URL=s3://bucket[/prefix]`, else
    /// the local filesystem under `<data dir>/images`.
    pub fn open(config: &Config, emulator_files: Option<(String, String)>) -> Result<Self, StorageError> {
        let (store, describe): (Arc<dyn ObjectStore>, String) = match config.storage.url.as_deref() {
            Some(url) if url.starts_with("s3://") => open_s3(&config.storage, url)?,
            Some(other) => return Err(StorageError(format!("STORAGE_URL must be s3://bucket/prefix (got {other:?})"))),
            None => {
                let dir = config.data_dir().join("images");
                std::fs::create_dir_all(&dir).map_err(|e| StorageError(format!("cannot create {}: {e}", dir.display())))?;
                let local = object_store::local::LocalFileSystem::new_with_prefix(&dir)
                    .map_err(|e| StorageError(format!("cannot open {}: {e}", dir.display())))?;
                (Arc::new(local), format!("local {}", dir.display()))
            }
        };
        Ok(Self { store, describe, emulator_files, wake: Wake::default() })
    }

    /// URL prefixes of the embedded emulator's files (public and loopback), if it is mounted.
    pub fn emulator_file_prefixes(&self) -> Vec<&str> {
        self.emulator_files.iter().flat_map(|(public, local)| [public.as_str(), local.as_str()]).collect()
    }

    /// Wakes the copier at once (a job just completed) instead of at its next idle poll.
    pub fn wake(&self) {
        self.wake.wake();
    }
}

/// The configured storage cannot be opened.
#[derive(Debug, thiserror::Error)]
#[error("storage: {0}")]
pub struct StorageError(String);

/// Why an image could not be fetched, checked or stored (recorded on the job, for people).
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("not an image (unrecognised bytes)")]
    NotAnImage,
    #[error("unsupported image format {0}")]
    Unsupported(String),
    #[error("unreadable image header: {0}")]
    Header(String),
    #[error("image dimensions {0}x{1} are out of range")]
    Dimensions(u32, u32),
    #[error("cannot decode the image: {0}")]
    Decode(String),
    #[error("cannot encode the thumbnail: {0}")]
    Encode(String),
    #[error("{0}")]
    Fetch(String),
    #[error("cannot write to storage ({0})")]
    Write(String),
}

fn open_s3(cfg: &StorageConfig, url: &str) -> Result<(Arc<dyn ObjectStore>, String), StorageError> {
    let parsed = url::Url::parse(url).map_err(|_| StorageError("STORAGE_URL is not a URL".into()))?;
    let bucket = parsed.host_str().filter(|b| !b.is_empty()).ok_or_else(|| StorageError("STORAGE_URL names no bucket".into()))?;
    let prefix = parsed.path().trim_matches('/').to_string();
    // from_env picks up the rest of the usual AWS_* variables (session token, …); the values we
    // read into Config win, so tests can configure a store without touching the environment.
    let mut builder = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_allow_http(cfg.s3_allow_http);
    if let Some(endpoint) = &cfg.s3_endpoint {
        builder = builder.with_endpoint(endpoint);
    }
    if let Some(region) = &cfg.s3_region {
        builder = builder.with_region(region);
    }
    if let Some(key) = &cfg.s3_access_key_id {
        builder = builder.with_access_key_id(key);
    }
    if let Some(secret) = &cfg.s3_secret_access_key {
        builder = builder.with_secret_access_key(secret.expose());
    }
    let s3 = builder.build().map_err(|e| StorageError(format!("cannot configure S3 storage: {e}")))?;
    let describe = format!("s3 bucket {bucket} prefix {prefix:?}");
    let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
        Arc::new(s3)
    } else {
        Arc::new(object_store::prefix::PrefixStore::new(s3, prefix.as_str()))
    };
    Ok((store, describe))
}

/// What we learned about an image from its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub format: image::ImageFormat,
    pub width: u32,
    pub height: u32,
}

impl Inspected {
    pub fn content_type(&self) -> &'static str {
        content_type_of(self.extension())
    }

    pub fn extension(&self) -> &'static str {
        match self.format {
            image::ImageFormat::Jpeg => "jpg",
            image::ImageFormat::WebP => "webp",
            image::ImageFormat::Gif => "gif",
            _ => "png",
        }
    }
}

/// The `Content-Type` for a stored file's extension (we name files after the sniffed format).
pub fn content_type_of(extension: &str) -> &'static str {
    match extension {
        "jpg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        // Only ever a sanitised SVG (`vector`): `inspect` never accepts one.
        "svg" => "image/svg+xml",
        _ => "image/png",
    }
}

/// Sniffs the format from the bytes (never from fal's `content_type` or the URL) and reads the
/// dimensions from the header. Only raster formats a browser shows inertly are accepted: an SVG
/// on our origin could run script.
pub fn inspect(bytes: &[u8]) -> Result<Inspected, ImageError> {
    use image::ImageFormat::{Gif, Jpeg, Png, WebP};
    let format = image::guess_format(bytes).map_err(|_| ImageError::NotAnImage)?;
    if !matches!(format, Png | Jpeg | WebP | Gif) {
        return Err(ImageError::Unsupported(format!("{format:?}")));
    }
    let (width, height) = image::ImageReader::with_format(std::io::Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| ImageError::Header(e.to_string()))?;
    if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(ImageError::Dimensions(width, height));
    }
    Ok(Inspected { format, width, height })
}

pub fn object_key(id: &str, name: &str) -> String {
    format!("infographs/{id}/{name}")
}

/// Relative on purpose: the browser then asks the origin it is on, with its session cookie; the
/// REST API makes it absolute with `PUBLIC_BASE_URL`.
pub fn media_url(id: &str, name: &str) -> String {
    format!("{MEDIA_PREFIX}/{id}/{name}")
}

/// Whether the store takes a write now: a small object put and removed (readiness).
pub async fn probe_write(storage: &Storage, instance: &str) -> Result<(), String> {
    let key = ObjectPath::from(format!("readiness/{instance}"));
    storage.store.put(&key, PutPayload::from_static(b"ok")).await.map_err(|e| format!("{}: {e}", storage.describe))?;
    storage.store.delete(&key).await.map_err(|e| format!("{}: {e}", storage.describe))
}

pub async fn put(storage: &Storage, key: &str, bytes: Bytes) -> Result<(), ImageError> {
    storage
        .store
        .put(&ObjectPath::from(key), PutPayload::from(bytes))
        .await
        .map(|_| ())
        .map_err(|e| ImageError::Write(format!("{}: {e}", storage.describe)))
}

/// Reads fal's image, capped in size and time. fal's URLs come from a signed webhook or fal's
/// own API, but they are still fetched like any outside URL: https only, every resolved address
/// public (the blog reader's policy, DNS pinned), no redirects. The embedded emulator's files
/// are the exception: they are this process's own loopback routes, so they are fetched directly.
pub async fn fetch_image(storage: &Storage, url: &str, policy: &FetchPolicy, max_bytes: usize) -> Result<Bytes, ImageError> {
    let emulator = storage
        .emulator_files
        .as_ref()
        .and_then(|(public, local)| url.strip_prefix(public.as_str()).map(|rest| format!("{local}{rest}")));
    // No proxy: a proxy would resolve the host itself and undo the address check and the pin.
    let client = reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(10))
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("infograph/", env!("CARGO_PKG_VERSION")));
    let (client, target) = match emulator {
        Some(local) => (client, local),
        None => {
            let parsed = url::Url::parse(url).map_err(|_| ImageError::Fetch("the image URL is invalid".into()))?;
            let addr = fetch::resolve_checked(&parsed, policy).await.map_err(|e| ImageError::Fetch(format!("the image URL is not allowed: {e}")))?;
            // Plain http only for an explicit test allowance (a loopback fixture server).
            if parsed.scheme() != "https" && !policy.allow.contains(&addr) {
                return Err(ImageError::Fetch("the image URL must use https".into()));
            }
            let host = parsed.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_string();
            (client.resolve(&host, addr), url.to_string())
        }
    };
    let client = client.build().map_err(|e| ImageError::Fetch(format!("cannot build the HTTP client: {e}")))?;
    let response = client.get(&target).send().await.map_err(|e| ImageError::Fetch(format!("cannot fetch the image: {}", e.without_url())))?;
    if !response.status().is_success() {
        return Err(ImageError::Fetch(format!("the image URL answered HTTP {}", response.status().as_u16())));
    }
    if response.content_length().is_some_and(|n| n > max_bytes as u64) {
        return Err(ImageError::Fetch(format!("the image is larger than {max_bytes} bytes")));
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ImageError::Fetch(format!("the image download failed: {}", e.without_url())))?;
        if body.len() + chunk.len() > max_bytes {
            return Err(ImageError::Fetch(format!("the image is larger than {max_bytes} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// The whole object at `key`, refused beyond `max_bytes` (an image we stored is within them).
pub async fn read_object(storage: &Storage, key: &str, max_bytes: usize) -> Result<Bytes, object_store::Error> {
    let result = storage.store.get(&ObjectPath::from(key)).await?;
    if result.meta.size > max_bytes as u64 {
        return Err(object_store::Error::Generic { store: "media", source: format!("{key} is larger than {max_bytes} bytes").into() });
    }
    result.bytes().await
}

const MEDIA_PURPOSE: &str = "media";

/// An absolute URL of one stored file that works without credentials until `expires_ms`: how
/// fal fetches the image a refinement edits. It names the job, the file and the expiry, and is
/// signed over all three, so it opens that one file and nothing else.
pub fn signed_media_url(signer: &Signer, base_url: &str, id: &str, file: &str, expires_ms: i64) -> String {
    let expires = expires_ms.to_string();
    let signature = signer.sign(MEDIA_PURPOSE, &[id, file, &expires]);
    format!("{base_url}{MEDIA_PREFIX}/{id}/{file}?expires={expires}&signature={signature}")
}

/// Whether a signed media URL's parts hold: the signature is this file's and has not expired.
pub fn signature_holds(signer: &Signer, id: &str, file: &str, expires: &str, signature: &str, now_ms: i64) -> bool {
    expires.parse::<i64>().is_ok_and(|at| at > now_ms) && signer.verify(MEDIA_PURPOSE, &[id, file, expires], signature)
}

/// A stored object as a byte stream, for the media handler.
pub async fn open_object(storage: &Storage, key: &str) -> Result<(u64, ByteStream), object_store::Error> {
    let result = storage.store.get(&ObjectPath::from(key)).await?;
    let size = result.meta.size;
    Ok((size, result.into_stream()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::new(w, h).write_to(&mut out, image::ImageFormat::Png).expect("png");
        out.into_inner()
    }

    #[test]
    fn inspect_sniffs_bytes_and_reads_dimensions() {
        let i = inspect(&png(30, 20)).expect("png");
        assert_eq!((i.format, i.width, i.height, i.content_type()), (image::ImageFormat::Png, 30, 20, "image/png"));
        assert!(inspect(b"<svg xmlns='http://www.w3.org/2000/svg'/>").is_err());
        assert!(inspect(b"<html>nope</html>").is_err());
        assert!(inspect(&png(30, 20)[..40]).is_err(), "a truncated header is refused");
    }

}

//! Images that last: every completed job's image is copied from fal into our own object store
//! (the local filesystem under the data dir, or S3-compatible storage with `STORAGE_URL=s3://…`),
//! checked (content type sniffed from the bytes, size cap, dimensions from the header), given a
//! small JPEG thumbnail, and served from our URL.
//!
//! The copy is a background task, never part of a webhook answer, and never touches credits or
//! the job's status: a completed job stays completed with fal's URL if copying fails, and the copy
//! is retried with backoff a bounded number of times. Its durable state is on the `infographs`
//! row (migration 0004): `status = 'completed' AND stored_at IS NULL` means "to copy", and
//! `storage_next_at` is both the retry time and the lease of the instance copying it.
//!
//! Serving policy: **owner-only**. `/media/{id}/{file}` answers only the job's owner (session
//! cookie or `Authorization: Token`); anyone else gets 404, an anonymous caller 401. Why not
//! unguessable public URLs: infograph ids travel in webhook and status URLs, a leaked image URL
//! (a pasted link, a referer, a proxy log) would expose a private image forever, and a capability
//! URL cannot be revoked. The cost is that the cache is the browser's (`private`), not a CDN's;
//! file names are content hashes, so that cache may keep them forever (`immutable`).

use super::db::{now_ms, Db};
use super::scrape::{self, FetchPolicy};
use super::state::AppState;
use bytes::Bytes;
use futures::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The URL prefix our stored images are served under.
pub const MEDIA_PREFIX: &str = "/media";
/// Largest width or height we accept (and decode for a thumbnail): fal's 4K is 4096 on the long
/// side; anything beyond this is not an image we asked for (or a decompression bomb).
pub const MAX_DIMENSION: u32 = 8192;
/// Total time for fetching one image from fal.
const FETCH_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a claimed copy belongs to its instance before another may retry it.
const LEASE: Duration = Duration::from_secs(180);
const IDLE_POLL: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
const THUMB_QUALITY: u8 = 82;

/// The object store and what the copier needs besides the database.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// Human-readable backend, for logs (never credentials).
    pub describe: String,
    /// `(public prefix, local prefix)` of the embedded emulator's files: those URLs are ours, on
    /// loopback, and fetched directly from this process rather than through the address policy.
    emulator_files: Option<(String, String)>,
    wake: Arc<Notify>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").field("backend", &self.describe).finish()
    }
}

impl Storage {
    /// Opens the configured backend: S3-compatible for `STORAGE_URL=s3://bucket[/prefix]`, else
    /// the local filesystem under `<data dir>/images`.
    pub fn open(config: &super::config::Config, emulator_files: Option<(String, String)>) -> Result<Self, String> {
        let (store, describe): (Arc<dyn ObjectStore>, String) = match config.storage.url.as_deref() {
            Some(url) if url.starts_with("s3://") => open_s3(&config.storage, url)?,
            Some(other) => return Err(format!("STORAGE_URL must be s3://bucket/prefix (got {other:?})")),
            None => {
                let dir = config.data_dir().join("images");
                std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let local = object_store::local::LocalFileSystem::new_with_prefix(&dir)
                    .map_err(|e| format!("cannot open {}: {e}", dir.display()))?;
                (Arc::new(local), format!("local {}", dir.display()))
            }
        };
        Ok(Self { store, describe, emulator_files, wake: Arc::new(Notify::new()) })
    }

    /// Wakes the copier at once (a job just completed) instead of at its next idle poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

fn open_s3(cfg: &super::config::StorageConfig, url: &str) -> Result<(Arc<dyn ObjectStore>, String), String> {
    let parsed = url::Url::parse(url).map_err(|_| "STORAGE_URL is not a URL".to_string())?;
    let bucket = parsed.host_str().filter(|b| !b.is_empty()).ok_or("STORAGE_URL names no bucket")?;
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
    let s3 = builder.build().map_err(|e| format!("cannot configure S3 storage: {e}"))?;
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
        _ => "image/png",
    }
}

/// Sniffs the format from the bytes (never from fal's `content_type` or the URL) and reads the
/// dimensions from the header. Only raster formats a browser shows inertly are accepted: an SVG
/// on our origin could run script.
pub fn inspect(bytes: &[u8]) -> Result<Inspected, String> {
    use image::ImageFormat::{Gif, Jpeg, Png, WebP};
    let format = image::guess_format(bytes).map_err(|_| "not an image (unrecognised bytes)".to_string())?;
    if !matches!(format, Png | Jpeg | WebP | Gif) {
        return Err(format!("unsupported image format {format:?}"));
    }
    let (width, height) = image::ImageReader::with_format(std::io::Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| format!("unreadable image header: {e}"))?;
    if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(format!("image dimensions {width}x{height} are out of range"));
    }
    Ok(Inspected { format, width, height })
}

/// A JPEG whose long edge is at most `edge` (never upscaled). Decoding is bounded by
/// [`MAX_DIMENSION`] and image's default allocation limit.
pub fn thumbnail(bytes: &[u8], inspected: &Inspected, edge: u32) -> Result<Vec<u8>, String> {
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), inspected.format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| format!("cannot decode the image: {e}"))?;
    let small = if decoded.width().max(decoded.height()) > edge { decoded.thumbnail(edge, edge) } else { decoded };
    let rgb = small.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, THUMB_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| format!("cannot encode the thumbnail: {e}"))?;
    Ok(out)
}

/// A job whose image is to be copied, claimed until `lease`.
#[derive(Debug, Clone, sqlx::FromRow)]
struct CopyJob {
    id: String,
    image_url: String,
    storage_attempts: i64,
    storage_next_at: i64,
}

async fn claim_next(db: &Db, max_attempts: u32) -> Result<Option<CopyJob>, sqlx::Error> {
    let now = now_ms();
    let _write = db.write_guard().await;
    sqlx::query_as::<_, CopyJob>(&format!(
        "UPDATE infographs SET storage_next_at = $1, storage_attempts = storage_attempts + 1 \
         WHERE id = (SELECT id FROM infographs WHERE status = 'completed' AND stored_at IS NULL \
                     AND image_url IS NOT NULL AND storage_attempts < $3 \
                     AND (storage_next_at IS NULL OR storage_next_at < $2) ORDER BY completed_at LIMIT 1{}) \
           AND status = 'completed' AND stored_at IS NULL AND (storage_next_at IS NULL OR storage_next_at < $2) \
         RETURNING id, image_url, storage_attempts, storage_next_at",
        db.skip_locked()
    ))
    .bind(now + LEASE.as_millis() as i64)
    .bind(now)
    .bind(i64::from(max_attempts))
    .fetch_optional(&db.pool)
    .await
}

/// The copier: one image at a time per instance (each can be tens of MB and a decode), woken when
/// a job completes and every few seconds for retries.
pub fn spawn_copier(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let state = &state;
        super::queue::run("storage copier", IDLE_POLL, &state.storage.wake, move || async move {
            let Some(job) = claim_next(&state.db, state.config.storage.max_attempts).await? else { return Ok(false) };
            copy_one(state, job).await;
            Ok(true)
        })
        .await;
    })
}

async fn copy_one(state: &AppState, job: CopyJob) {
    match store_image(state, &job).await {
        Ok(true) => {
            tracing::info!(infograph = %job.id, "image copied to our storage");
            state.events.job_changed(&job.id).await;
        }
        Ok(false) => tracing::info!(infograph = %job.id, "image copy lost its lease; another instance has it"),
        Err(reason) => {
            let attempts = job.storage_attempts.max(1) as u32;
            let exhausted = attempts >= state.config.storage.max_attempts;
            tracing::warn!(infograph = %job.id, attempts, exhausted, %reason, "image copy failed; fal's URL stays");
            let delay = backoff(state.config.storage.retry_base, attempts);
            if let Err(err) = record_failure(&state.db, &job, &reason, delay, exhausted).await {
                tracing::error!(infograph = %job.id, error = %err, "could not record a failed image copy");
            } else if exhausted {
                // The card leaves "storing" for good: it keeps fal's URL.
                state.events.job_changed(&job.id).await;
            }
        }
    }
}

/// `base × 2^(attempt-1)`, capped at an hour.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1))).min(MAX_BACKOFF)
}

/// Fetches, checks, thumbnails and writes both objects; then points the job at them.
/// `Ok(false)`: our lease was lost meanwhile (the objects are content-addressed, so the other
/// copier writes the same keys).
async fn store_image(state: &AppState, job: &CopyJob) -> Result<bool, String> {
    let storage = &state.storage;
    let bytes = fetch_image(storage, &job.image_url, &state.config.fetch_policy(), state.config.storage.max_bytes).await?;
    let edge = state.config.storage.thumbnail_edge;
    let checked = bytes.clone();
    let (inspected, thumb) = tokio::task::spawn_blocking(move || {
        let inspected = inspect(&checked)?;
        let thumb = thumbnail(&checked, &inspected, edge)?;
        Ok::<_, String>((inspected, thumb))
    })
    .await
    .map_err(|_| "the image check panicked".to_string())??;
    let hash = hex::encode(&Sha256::digest(&bytes)[..16]);
    let image_name = format!("{hash}.{}", inspected.extension());
    let thumb_name = format!("{hash}-thumb.jpg");
    let image_key = object_key(&job.id, &image_name);
    let thumb_key = object_key(&job.id, &thumb_name);
    put(storage, &image_key, bytes).await?;
    put(storage, &thumb_key, Bytes::from(thumb)).await?;
    let stored = Stored {
        image_url: media_url(&job.id, &image_name),
        thumbnail_url: media_url(&job.id, &thumb_name),
        image_key,
        thumb_key,
        width: i64::from(inspected.width),
        height: i64::from(inspected.height),
    };
    record_stored(&state.db, job, &stored).await.map_err(|e| format!("database error: {e}"))
}

fn object_key(id: &str, name: &str) -> String {
    format!("infographs/{id}/{name}")
}

/// Relative on purpose: the browser then asks the origin it is on, with its session cookie; the
/// REST API makes it absolute with `PUBLIC_BASE_URL`.
fn media_url(id: &str, name: &str) -> String {
    format!("{MEDIA_PREFIX}/{id}/{name}")
}

async fn put(storage: &Storage, key: &str, bytes: Bytes) -> Result<(), String> {
    storage
        .store
        .put(&ObjectPath::from(key), PutPayload::from(bytes))
        .await
        .map(|_| ())
        .map_err(|e| format!("cannot write to storage ({}): {e}", storage.describe))
}

/// Reads fal's image, capped in size and time. fal's URLs come from a signed webhook or fal's
/// own API, but they are still fetched like any outside URL: https only, every resolved address
/// public (the blog reader's policy, DNS pinned), no redirects. The embedded emulator's files
/// are the exception: they are this process's own loopback routes, so they are fetched directly.
pub async fn fetch_image(storage: &Storage, url: &str, policy: &FetchPolicy, max_bytes: usize) -> Result<Bytes, String> {
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
            let parsed = url::Url::parse(url).map_err(|_| "the image URL is invalid".to_string())?;
            let addr = scrape::resolve_checked(&parsed, policy).await.map_err(|e| format!("the image URL is not allowed: {e}"))?;
            // Plain http only for an explicit test allowance (a loopback fixture server).
            if parsed.scheme() != "https" && !policy.allow.contains(&addr) {
                return Err("the image URL must use https".into());
            }
            let host = parsed.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_string();
            (client.resolve(&host, addr), url.to_string())
        }
    };
    let client = client.build().map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let response = client.get(&target).send().await.map_err(|e| format!("cannot fetch the image: {}", e.without_url()))?;
    if !response.status().is_success() {
        return Err(format!("the image URL answered HTTP {}", response.status().as_u16()));
    }
    if response.content_length().is_some_and(|n| n > max_bytes as u64) {
        return Err(format!("the image is larger than {max_bytes} bytes"));
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| format!("the image download failed: {}", e.without_url()))?;
        if body.len() + chunk.len() > max_bytes {
            return Err(format!("the image is larger than {max_bytes} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

struct Stored {
    image_url: String,
    thumbnail_url: String,
    image_key: String,
    thumb_key: String,
    width: i64,
    height: i64,
}

/// Points the job at our copy, keeping fal's URL as the source; guarded by our lease and by the
/// URL we copied, so a stale copier can never overwrite a newer result.
async fn record_stored(db: &Db, job: &CopyJob, s: &Stored) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let _write = db.write_guard().await;
    let updated = sqlx::query(
        "UPDATE infographs SET source_image_url = image_url, image_url = $1, thumbnail_url = $2, \
         stored_image_key = $3, stored_thumb_key = $4, width = $5, height = $6, stored_at = $7, \
         updated_at = $7, storage_next_at = NULL, storage_error = NULL, version = version + 1 \
         WHERE id = $8 AND stored_at IS NULL AND storage_next_at = $9 AND image_url = $10",
    )
    .bind(&s.image_url)
    .bind(&s.thumbnail_url)
    .bind(&s.image_key)
    .bind(&s.thumb_key)
    .bind(s.width)
    .bind(s.height)
    .bind(now)
    .bind(&job.id)
    .bind(job.storage_next_at)
    .bind(&job.image_url)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

async fn record_failure(db: &Db, job: &CopyJob, reason: &str, delay: Duration, exhausted: bool) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let _write = db.write_guard().await;
    sqlx::query(
        "UPDATE infographs SET storage_next_at = $1, storage_error = $2, \
         storage_gave_up_at = CASE WHEN $3 = 1 THEN $5 ELSE storage_gave_up_at END, \
         progress_version = progress_version + $3 \
         WHERE id = $4 AND stored_at IS NULL AND storage_next_at = $6",
    )
    .bind(now + delay.as_millis() as i64)
    .bind(reason)
    .bind(i64::from(exhausted))
    .bind(&job.id)
    .bind(now)
    .bind(job.storage_next_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The object key of `file` if it is one of this user's stored files for job `id`.
pub async fn owned_object(db: &Db, user_id: &str, id: &str, file: &str) -> Result<Option<String>, sqlx::Error> {
    if !super::db::plausible_id(id) {
        return Ok(None);
    }
    let keys: Option<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT stored_image_key, stored_thumb_key FROM infographs WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((image, thumb)) = keys else { return Ok(None) };
    let wanted = object_key(id, file);
    Ok([image, thumb].into_iter().flatten().find(|key| *key == wanted))
}

/// The key of job `id`'s stored full-size image, once copied.
pub async fn stored_image_key(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    let key: Option<Option<String>> = sqlx::query_scalar("SELECT stored_image_key FROM infographs WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(key.flatten())
}

/// A stored object as a byte stream, for the media handler.
pub async fn open_object(
    storage: &Storage,
    key: &str,
) -> Result<(u64, futures::stream::BoxStream<'static, Result<Bytes, object_store::Error>>), object_store::Error> {
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

    #[test]
    fn thumbnails_are_small_jpegs_and_never_upscaled() {
        let big = png(1000, 500);
        let thumb = thumbnail(&big, &inspect(&big).expect("png"), 400).expect("thumb");
        let t = inspect(&thumb).expect("jpeg");
        assert_eq!((t.format, t.width, t.height), (image::ImageFormat::Jpeg, 400, 200));
        let small = png(100, 50);
        let t = inspect(&thumbnail(&small, &inspect(&small).expect("png"), 400).expect("thumb")).expect("jpeg");
        assert_eq!((t.width, t.height), (100, 50));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff(base, 1), Duration::from_secs(5));
        assert_eq!(backoff(base, 3), Duration::from_secs(20));
        assert_eq!(backoff(base, 40), MAX_BACKOFF);
    }
}

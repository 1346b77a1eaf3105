//! The stored files a request can name: the image, its thumbnail, a rendition of the image, or
//! a layered version's background
//! (made on first request and kept, see `renditions`). One door for the owner's `/media` URLs,
//! signed URLs, share links and downloads.

use super::renditions::{self, Rendition};
use super::storage::{self, object_key, Storage};
pub use super::storage::ByteStream;
use crate::server::jobs::repo;
use crate::server::platform::config::StorageConfig;
use crate::server::platform::db::Db;
use futures::StreamExt;

/// What a request names, when `file` is one of job `id`'s.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaFile {
    /// The stored image or its JPEG thumbnail (written by the copier).
    Stored(String),
    /// Another size or format of the stored image (`renditions`), kept at `key` once made.
    Rendition { key: String, original: String, rendition: Rendition },
}

impl MediaFile {
    /// The `Content-Type` of the file (we name files after their format).
    pub fn content_type(&self) -> &'static str {
        match self {
            Self::Stored(key) => storage::content_type_of(key.rsplit('.').next().unwrap_or_default()),
            Self::Rendition { rendition, .. } => rendition.content_type(),
        }
    }
}

/// The file `file` of job `id`, if the job is `owner`'s (`None`: any owner, for a request whose
/// signature or share link proved it may have the file) and has a stored image that file is, or
/// is made from.
pub async fn media_file(db: &Db, owner: Option<&str>, id: &str, file: &str) -> Result<Option<MediaFile>, sqlx::Error> {
    let wanted = object_key(id, file);
    // A layered version's background (what its text editor draws on).
    if file.starts_with("background-") {
        return Ok(repo::background_key(db, owner, id).await?.filter(|key| *key == wanted).map(MediaFile::Stored));
    }
    let Some((image, thumb)) = repo::stored_keys(db, owner, id).await? else { return Ok(None) };
    if [&image, &thumb].into_iter().flatten().any(|key| *key == wanted) {
        return Ok(Some(MediaFile::Stored(wanted)));
    }
    let made_from_it = |original: &String| Rendition::parse(file).filter(|r| r.hash == renditions::hash_of(original));
    Ok(image.and_then(|original| made_from_it(&original).map(|rendition| MediaFile::Rendition { key: wanted, original, rendition })))
}

/// The file's size and bytes; a rendition is made from the original (and kept) the first time
/// it is asked for.
pub async fn open(storage: &Storage, limits: &StorageConfig, file: MediaFile) -> Result<(u64, ByteStream), object_store::Error> {
    let (key, original, rendition) = match file {
        MediaFile::Stored(key) => return storage::open_object(storage, &key).await,
        MediaFile::Rendition { key, original, rendition } => (key, original, rendition),
    };
    match storage::open_object(storage, &key).await {
        Err(object_store::Error::NotFound { .. }) => {}
        opened => return opened,
    }
    // The turn first, then the original: waiting requests hold no image in memory, and the
    // rendition may have been made while this one waited.
    let _turn = renditions::turn().await.map_err(|e| object_store::Error::Generic { store: "renditions", source: e.to_string().into() })?;
    match storage::open_object(storage, &key).await {
        Err(object_store::Error::NotFound { .. }) => {}
        opened => return opened,
    }
    // A vector picture's renditions are made from its PNG, never from the SVG.
    let bytes = storage::read_object(storage, &super::vector::raster_source(&original), limits.max_bytes).await?;
    let made = renditions::make(bytes, rendition, limits.thumbnail_edge)
        .await
        .map_err(|e| object_store::Error::Generic { store: "renditions", source: e.to_string().into() })?;
    if let Err(e) = storage::put(storage, &key, made.clone()).await {
        // Served all the same; it is made again next time.
        tracing::warn!(key, error = %e, "a rendition could not be kept");
    }
    Ok((made.len() as u64, futures::stream::once(async move { Ok(made) }).boxed()))
}

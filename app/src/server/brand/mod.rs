//! Brand kits: a name, 1–6 colours, a font mood, a tone, an optional logo, and at most one
//! default per user. Another user's kit does not exist (404) wherever it is named. A kit's look
//! goes into the brief of every infograph made with it (`blog::brief`), and its logo, through a
//! URL signed for that file and an hour, to fal's edit endpoint.
//!
//! Logos are untrusted uploads: at most `LOGO_MAX_BYTES`, the type sniffed from the bytes (PNG,
//! JPEG or WebP), decoded within the dimension limits, shrunk to at most 1024 px and re-encoded as
//! PNG, so what we store and hand to fal is a picture we made.

pub mod repo;

use crate::errors::AppError;
use crate::model::design::{validate_kit, BrandKitView, BrandSnapshot, KitInput, RawKit, LOGO_MAX_BYTES};
use crate::server::accounts::users::UserRow;
use crate::server::delivery::renditions::{self, Format};
use crate::server::delivery::storage::{self, ImageError};
use crate::server::platform::db::{new_id, now_ms};
use crate::server::platform::state::AppState;
use bytes::Bytes;
use image::ImageFormat;
use repo::{BrandKitRow, KitFields};
use sha2::{Digest, Sha256};

/// Kits one user may have.
pub const MAX_KITS: i64 = 20;
/// The longest edge a stored logo keeps.
const LOGO_EDGE: u32 = 1024;
/// The largest logo accepted, by edge and by decoded memory.
const LOGO_MAX_SOURCE_EDGE: u32 = 4096;
const LOGO_MAX_ALLOC: u64 = 80 * 1024 * 1024;
const LOGO_PURPOSE: &str = "brand-logo";

/// Where a kit's logo is served (`/{file}` after it).
pub fn logo_path(kit_id: &str) -> String {
    format!("/brand-logos/{kit_id}")
}

fn input_of(row: &BrandKitRow) -> KitInput {
    KitInput { name: row.name.clone(), colors: row.colors(), font_mood: row.font_mood(), tone: row.tone.clone(), is_default: row.is_default == 1 }
}

fn fields(input: &KitInput) -> KitFields<'_> {
    KitFields { name: &input.name, colors: &input.colors, font_mood: input.font_mood, tone: &input.tone, is_default: input.is_default }
}

async fn owned(state: &AppState, owner: &UserRow, id: &str) -> Result<BrandKitRow, AppError> {
    repo::owned(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)
}

pub async fn list(state: &AppState, owner: &UserRow) -> Result<Vec<BrandKitView>, AppError> {
    Ok(repo::list(&state.db, &owner.id).await?.iter().map(BrandKitRow::view).collect())
}

pub async fn get(state: &AppState, owner: &UserRow, id: &str) -> Result<BrandKitView, AppError> {
    Ok(owned(state, owner, id).await?.view())
}

pub async fn create(state: &AppState, owner: &UserRow, raw: &RawKit) -> Result<BrandKitView, AppError> {
    let input = validate_kit(raw, None).map_err(AppError::invalid)?;
    if repo::count(&state.db, &owner.id).await? >= MAX_KITS {
        return Err(AppError::Conflict(format!("you have {MAX_KITS} brand kits already; delete one first")));
    }
    let id = new_id();
    repo::insert(&state.db, &id, &owner.id, &fields(&input)).await?;
    get(state, owner, &id).await
}

/// Changes the fields sent, keeping the others.
pub async fn update(state: &AppState, owner: &UserRow, id: &str, raw: &RawKit) -> Result<BrandKitView, AppError> {
    let row = owned(state, owner, id).await?;
    let input = validate_kit(raw, Some(&input_of(&row))).map_err(AppError::invalid)?;
    if !repo::update(&state.db, &owner.id, id, &fields(&input)).await? {
        return Err(AppError::NotFound);
    }
    get(state, owner, id).await
}

/// Deletes a kit. Infographs made with it keep its look (their brief and snapshot).
pub async fn delete(state: &AppState, owner: &UserRow, id: &str) -> Result<(), AppError> {
    if repo::delete(&state.db, &owner.id, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Stores a new logo for the owner's kit: checked, shrunk and re-encoded as PNG (see above).
pub async fn set_logo(state: &AppState, owner: &UserRow, id: &str, bytes: Bytes) -> Result<BrandKitView, AppError> {
    owned(state, owner, id).await?;
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(AppError::invalid_field("logo", format!("must be at most {} MB", LOGO_MAX_BYTES / (1024 * 1024))));
    }
    let _turn = renditions::turn().await.map_err(|_| AppError::Internal)?;
    let png = tokio::task::spawn_blocking(move || reencode(&bytes))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|e| AppError::invalid_field("logo", e))?;
    let file = format!("{}.png", hex::encode(&Sha256::digest(&png)[..16]));
    let key = logo_key(id, &file);
    storage::put(&state.storage, &key, Bytes::from(png)).await.map_err(|e| {
        tracing::error!(kit = %id, error = %e, "a logo could not be stored");
        AppError::Internal
    })?;
    if !repo::set_logo(&state.db, &owner.id, id, &key).await? {
        return Err(AppError::NotFound);
    }
    get(state, owner, id).await
}

fn logo_key(kit_id: &str, file: &str) -> String {
    format!("brand/{kit_id}/{file}")
}

/// PNG, JPEG or WebP by its bytes (never by its name or a header), decoded within limits and
/// re-encoded as a PNG at most `LOGO_EDGE` on its long side.
fn reencode(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let inspected = storage::inspect(bytes).map_err(|e| match e {
        ImageError::NotAnImage | ImageError::Unsupported(_) => "must be a PNG, JPEG or WebP image".to_string(),
        other => format!("is not a readable image ({other})"),
    })?;
    if !matches!(inspected.format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP) {
        return Err("must be a PNG, JPEG or WebP image".into());
    }
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), inspected.format);
    // A 2 MB file can claim a huge canvas; a logo needs none of it.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(LOGO_MAX_SOURCE_EDGE);
    limits.max_image_height = Some(LOGO_MAX_SOURCE_EDGE);
    limits.max_alloc = Some(LOGO_MAX_ALLOC);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| format!("is not a readable image ({e})"))?;
    let shrunk = if decoded.width().max(decoded.height()) > LOGO_EDGE { decoded.thumbnail(LOGO_EDGE, LOGO_EDGE) } else { decoded };
    renditions::encode(&shrunk, Format::Png).map_err(|e| e.to_string())
}

/// The owner's kit `id`, as infographs made with it keep it.
pub async fn snapshot(state: &AppState, owner: &UserRow, id: &str) -> Result<BrandSnapshot, AppError> {
    let row = owned(state, owner, id).await?;
    Ok(BrandSnapshot { name: row.name.clone(), colors: row.colors(), font_mood: row.font_mood(), tone: row.tone.clone(), logo_key: row.logo_key.clone() })
}

/// An absolute URL of a stored logo that works without credentials until `expires_ms`: how fal
/// gets the logo to place. Signed over the kit, the file and the expiry.
pub fn signed_logo_url(state: &AppState, logo_key: &str, expires_ms: i64) -> Option<String> {
    let rest = logo_key.strip_prefix("brand/")?;
    let (kit_id, file) = rest.split_once('/')?;
    let expires = expires_ms.to_string();
    let signature = state.signer.sign(LOGO_PURPOSE, &[kit_id, file, &expires]);
    Some(format!("{}{}/{file}?expires={expires}&signature={signature}", state.public_base_url, logo_path(kit_id)))
}

/// The storage key of logo `file` of kit `kit_id`, if the request may have it: a valid signature
/// (fal), or the kit's owner (its settings page). Anyone else: not found.
pub async fn logo_file(state: &AppState, owner: Option<&UserRow>, kit_id: &str, file: &str, signed: Option<(&str, &str)>) -> Result<String, AppError> {
    let plausible = file.len() <= 64 && file.strip_suffix(".png").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()));
    if !plausible {
        return Err(AppError::NotFound);
    }
    match (signed, owner) {
        (Some((expires, signature)), _) => {
            let valid = expires.parse::<i64>().is_ok_and(|at| at > now_ms()) && state.signer.verify(LOGO_PURPOSE, &[kit_id, file, expires], signature);
            if valid {
                Ok(logo_key(kit_id, file))
            } else {
                Err(AppError::Forbidden("this link is not valid or has expired".into()))
            }
        }
        (None, Some(owner)) => {
            let row = repo::owned(&state.db, &owner.id, kit_id).await?.ok_or(AppError::NotFound)?;
            let key = logo_key(kit_id, file);
            (row.logo_key.as_deref() == Some(key.as_str())).then_some(key).ok_or(AppError::NotFound)
        }
        (None, None) => Err(AppError::Unauthorized),
    }
}

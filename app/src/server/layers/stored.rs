//! A version's layers as stored on its row, how they get there, and the renderings made from
//! them: the PNG that is the version's stored image (so every way a picture leaves us shows what
//! the editor showed), and the SVG and PDF downloads.

use super::render::{self, Background, Scene};
use crate::errors::AppError;
use crate::model::infograph::VersionKind;
use crate::model::layers::{LayersView, TextBox};
use crate::model::{CreateResponse, CreatedJob, JobStatus};
use crate::server::accounts::users::UserRow;
use crate::server::delivery::renditions;
use crate::server::delivery::storage::{self, ImageError};
use crate::server::fal::client::OutputImage;
use crate::server::jobs::repo::{self as jobs_repo, FixKind, InfographRow, JobDesign, NewJob, Stored};
use crate::server::platform::db::new_id;
use crate::server::platform::state::AppState;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Largest side of a picture whose layers we read before its background's size is known.
const MAX_EDGE: u32 = 4096;

/// The `layers` column: the background (fal's URL, then our stored copy) and the boxes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredLayers {
    pub background_url: String,
    /// Our stored copy of the background (set by the image copier).
    #[serde(default)]
    pub background_key: Option<String>,
    /// The picture's size (0 until the background is stored and measured).
    pub width: u32,
    pub height: u32,
    pub boxes: Vec<TextBox>,
}

impl StoredLayers {
    pub fn of(row: &InfographRow) -> Option<Self> {
        row.layers.as_deref().and_then(|json| serde_json::from_str(json).ok())
    }

    pub fn view(&self) -> LayersView {
        LayersView { width: self.width, height: self.height, background_url: self.background_url.clone(), boxes: self.boxes.clone() }
    }

    fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The boxes' words, one box a line: what a proofread reads from a layered version (exact:
    /// no vision model needed).
    pub fn text(&self) -> String {
        self.boxes.iter().map(|b| b.text.trim()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n")
    }

    /// Boxes kept inside the picture once its size is known.
    fn clamped(mut self, width: u32, height: u32) -> Self {
        let (w, h) = (f64::from(width), f64::from(height));
        for b in &mut self.boxes {
            b.w = b.w.clamp(1.0, w);
            b.h = b.h.clamp(1.0, h);
            b.x = b.x.clamp(0.0, w - b.w);
            b.y = b.y.clamp(0.0, h - b.h);
        }
        Self { width, height, ..self }
    }
}

/// fal's layerize-text output as a job's outcome: its background image and its layers (JSON);
/// `None` for any other output.
pub fn from_layerize_output(output: &serde_json::Value) -> Option<Result<(OutputImage, String), String>> {
    // Its one `image` (the background) and its containers tell it from an image model's
    // `images` (a picture without words may come without containers).
    let layerized = output.get("text_containers").is_some() || output.get("text_html").is_some() || (output.get("image").is_some() && output.get("images").is_none());
    if !layerized {
        return None;
    }
    Some(super::layerize::parse_output(output, MAX_EDGE, MAX_EDGE).map(|layered| {
        let layers = StoredLayers { background_url: layered.background_url.clone(), background_key: None, width: 0, height: 0, boxes: layered.boxes };
        (OutputImage { url: layered.background_url, width: None, height: None, content_type: None }, layers.json())
    }))
}

/// The image copier's step for a layered version: the background it fetched is stored beside
/// the picture, the layers learn its place and size, and the picture to store is our rendering
/// of the boxes over it. `None` for any other version (its image is stored as fetched).
pub async fn compose_for_copy(state: &AppState, id: &str, background: &Bytes) -> Result<Option<Bytes>, ImageError> {
    let row = jobs_repo::by_id(&state.db, id).await.map_err(|e| ImageError::Write(e.to_string()))?;
    let Some((row, layers)) = row.and_then(|r| StoredLayers::of(&r).map(|l| (r, l))) else { return Ok(None) };
    if row.kind != VersionKind::Layers.as_str() {
        return Ok(None);
    }
    let inspected = storage::inspect(background)?;
    let name = format!("background-{}.{}", content_hash(background), inspected.extension());
    let key = storage::object_key(id, &name);
    storage::put(&state.storage, &key, background.clone()).await?;
    let layers = StoredLayers { background_url: storage::media_url(id, &name), background_key: Some(key), ..layers.clamped(inspected.width, inspected.height) };
    jobs_repo::set_layers(&state.db, id, &layers.json()).await.map_err(|e| ImageError::Write(e.to_string()))?;
    Ok(Some(render_png(layers, background.clone(), inspected.content_type()).await?))
}

fn content_hash(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..16])
}

/// The PNG of `layers` over `background`, on a blocking thread (resvg is CPU work).
async fn render_png(layers: StoredLayers, background: Bytes, mime: &'static str) -> Result<Bytes, ImageError> {
    tokio::task::spawn_blocking(move || {
        let scene = Scene { width: layers.width, height: layers.height, background: Background { bytes: &background, mime }, boxes: &layers.boxes };
        render::png(&scene).map(Bytes::from).map_err(|e| ImageError::Decode(e.to_string()))
    })
    .await
    .map_err(|_| ImageError::Decode("the renderer panicked".into()))?
}

/// The background's bytes: our stored copy, else fal's URL under the copier's rules.
async fn background_of(state: &AppState, layers: &StoredLayers) -> Result<(Bytes, &'static str), AppError> {
    let unavailable = |e: String| {
        tracing::warn!(error = %e, "a layered picture's background could not be read");
        AppError::Upstream("the picture's background could not be read; try again later".into())
    };
    let bytes = match &layers.background_key {
        Some(key) => storage::read_object(&state.storage, key, state.config.storage.max_bytes).await.map_err(|e| unavailable(e.to_string()))?,
        None => storage::fetch_image(&state.storage, &layers.background_url, &state.config.fetch_policy(), state.config.storage.max_bytes)
            .await
            .map_err(|e| unavailable(e.to_string()))?,
    };
    let mime = storage::inspect(&bytes).map_err(|e| unavailable(e.to_string()))?.content_type();
    Ok((bytes, mime))
}

/// A text edit of `source`: rendered, stored and written completed, in one step; free.
pub(super) async fn save_version(state: &AppState, owner: &UserRow, source: &InfographRow, layers: &StoredLayers, instruction: &str) -> Result<CreateResponse, AppError> {
    if layers.width == 0 {
        return Err(AppError::Conflict("its text is still being made editable; try again when it is ready".into()));
    }
    let (background, mime) = background_of(state, layers).await?;
    let png = render_png(layers.clone(), background, mime).await.map_err(|e| {
        tracing::error!(infograph = %source.id, error = %e, "a text edit could not be rendered");
        AppError::Internal
    })?;
    let id = new_id();
    let stored = store_rendering(state, &id, png).await?;
    let row = insert_version(state, owner, source, &id, &stored, layers, instruction).await?;
    state.events.job_changed(&row.id).await;
    state.proofreader.wake();
    let created = CreatedJob { id: row.id.clone(), request_id: None, status: JobStatus::Completed, status_url: crate::server::jobs::create::status_url(state, &row.id) };
    Ok(CreateResponse { total_submitted: 1, credits_used: 0, infographs: vec![created] })
}

/// Our rendering as the version's stored image, with its thumbnails, as the copier stores one.
async fn store_rendering(state: &AppState, id: &str, png: Bytes) -> Result<Stored, AppError> {
    let failed = |e: ImageError| {
        tracing::error!(infograph = %id, error = %e, "a text edit could not be stored");
        AppError::Internal
    };
    let edge = state.config.storage.thumbnail_edge;
    let checked = png.clone();
    let (inspected, (thumb, thumb_webp)) = tokio::task::spawn_blocking(move || {
        let inspected = storage::inspect(&checked)?;
        let thumbs = renditions::thumbnails(&checked, &inspected, edge)?;
        Ok::<_, ImageError>((inspected, thumbs))
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(failed)?;
    let hash = content_hash(&png);
    let (image_name, thumb_name) = (format!("{hash}.png"), format!("{hash}-thumb.jpg"));
    let (image_key, thumb_key) = (storage::object_key(id, &image_name), storage::object_key(id, &thumb_name));
    storage::put(&state.storage, &image_key, png).await.map_err(failed)?;
    storage::put(&state.storage, &thumb_key, Bytes::from(thumb)).await.map_err(failed)?;
    storage::put(&state.storage, &storage::object_key(id, &format!("{hash}-thumb.webp")), Bytes::from(thumb_webp)).await.map_err(failed)?;
    Ok(Stored {
        image_url: storage::media_url(id, &image_name),
        thumbnail_url: storage::media_url(id, &thumb_name),
        image_key,
        thumb_key,
        width: i64::from(inspected.width),
        height: i64::from(inspected.height),
    })
}

async fn insert_version(state: &AppState, owner: &UserRow, source: &InfographRow, id: &str, stored: &Stored, layers: &StoredLayers, instruction: &str) -> Result<InfographRow, AppError> {
    let view = source.view();
    let job = NewJob {
        user_id: &owner.id,
        batch_id: id,
        prompt: &source.user_prompt,
        blog_url: None,
        aspect_ratio: &source.aspect_ratio,
        resolution: &source.resolution,
        // The price column must be positive; nothing is debited for a text edit.
        cost: 1,
        regenerated_from: None,
        design: JobDesign {
            layout: source.layout.as_deref().unwrap_or("auto"),
            style: source.style.as_deref(),
            language: source.language.as_deref().unwrap_or(crate::model::design::DEFAULT_LANGUAGE),
            brand_kit_id: None,
            brand: None,
            outline: None,
        },
        parent_id: Some(&source.id),
        family_id: Some(source.family_id.as_deref().unwrap_or(&source.id)),
        instruction: Some(instruction),
        title: Some(&view.title),
        alt_text: Some(&view.alt_text),
        proofread_fix: FixKind::NotAFix,
        kind: VersionKind::TextEdit,
        // Not drawn by any model: it keeps its source's, for what the viewer says of it.
        model: &state.models.of_job(source.model.as_deref()).id,
    };
    let writer = state.db.write().await;
    let mut tx = writer.begin().await?;
    let row = jobs_repo::insert_text_edit(&mut tx, id, &job, stored, &layers.json()).await?;
    tx.commit().await?;
    Ok(row)
}

/// The owner's layered version as SVG or PDF (text kept as text).
pub async fn export(state: &AppState, owner: &UserRow, id: &str, pdf: bool) -> Result<(Vec<u8>, String), AppError> {
    let row = jobs_repo::owned(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)?;
    let layers = StoredLayers::of(&row).filter(|l| l.width > 0).ok_or_else(|| {
        AppError::Conflict("only a version whose text was made editable downloads as SVG or PDF".into())
    })?;
    let (background, mime) = background_of(state, &layers).await?;
    let name = crate::server::jobs::download::file_name(&row.name(), &row.id, None, if pdf { "pdf" } else { "svg" });
    let bytes = tokio::task::spawn_blocking(move || {
        let scene = Scene { width: layers.width, height: layers.height, background: Background { bytes: &background, mime }, boxes: &layers.boxes };
        if pdf { render::pdf(&scene) } else { Ok(render::svg(&scene).into_bytes()) }
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|e| {
        tracing::error!(infograph = %id, error = %e, "a layered picture could not be rendered");
        AppError::Internal
    })?;
    Ok((bytes, name))
}

//! The model catalogue: every model a picture can be drawn with, its fal endpoints, what it
//! accepts, how our form's choices become its inputs ([`input`]) and what an image costs. The
//! built-in catalogue is `catalogue.json`; `MODELS_FILE` replaces it with an operator's file of
//! the same format (docs/models.md). Read once at start-up: a catalogue that cannot be served
//! stops the start with a sentence naming the model and the field.

pub mod input;

use crate::errors::AppError;
use crate::model::models::{ModelInfo, ModelList};
use crate::model::{AspectRatio, Resolution};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

const BUILT_IN: &str = include_str!("catalogue.json");
/// The model jobs made before there was a choice were drawn with.
pub const LEGACY_MODEL: &str = "nano-banana-pro";

/// How a model is told the picture's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeInput {
    /// `aspect_ratio` and `resolution`, as we name them.
    AspectRatio,
    /// `image_size`: a preset name or `{width, height}`, from the model's table.
    ImageSize,
}

/// Where a brand kit's colours go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Colors {
    /// Only in the brief's words.
    Brief,
    /// Ideogram's `color_palette.members` (`{rgb, color_weight}`), and in the brief.
    ColorPalette,
    /// Recraft's `colors` (`[{r, g, b}]`), and in the brief.
    Colors,
}

/// Whether a kit's logo can be placed: through the edit endpoint (the logo is the image it is
/// given), or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Logo {
    Edit,
    None,
}

/// How the edit endpoint takes the image to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditImage {
    /// `image_urls: [url]`.
    ImageUrls,
    /// `image_url: url`.
    ImageUrl,
}

/// A size from a model's table: a preset name, or pixels.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(untagged)]
pub enum ImageSize {
    Preset(String),
    Pixels { width: u32, height: u32 },
}

/// One model as the catalogue describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    pub id: String,
    pub name: String,
    pub endpoint: String,
    #[serde(default)]
    pub edit_endpoint: Option<String>,
    #[serde(default)]
    pub vector: bool,
    pub credits: BTreeMap<String, i64>,
    pub aspect_ratios: Vec<String>,
    pub max_images: u32,
    pub size: SizeInput,
    /// Per resolution, per aspect ratio (`size: image_size` only).
    #[serde(default)]
    pub image_sizes: BTreeMap<String, BTreeMap<String, ImageSize>>,
    /// Whether it takes `num_images` (always 1: one job per image).
    #[serde(default)]
    pub num_images: bool,
    #[serde(default)]
    pub output_format: Option<String>,
    pub colors: Colors,
    pub logo: Logo,
    #[serde(default)]
    pub edit_image_field: Option<EditImage>,
    /// Inputs sent as they are with every text-to-image request.
    #[serde(default)]
    pub fixed: serde_json::Map<String, serde_json::Value>,
    /// Inputs sent as they are with every edit request.
    #[serde(default)]
    pub edit_fixed: serde_json::Map<String, serde_json::Value>,
    /// The brief's length budget for this model, in characters.
    pub brief_max_chars: usize,
    /// What fal charges per image (list price), for the admin dashboard's cost figures.
    #[serde(default)]
    pub usd_per_image: BTreeMap<String, f64>,
}

impl ModelSpec {
    pub fn info(&self) -> ModelInfo {
        ModelInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            endpoint: self.endpoint.clone(),
            edit_endpoint: self.edit_endpoint.clone(),
            vector: self.vector,
            credits: self.credits.clone(),
            aspect_ratios: self.aspect_ratios.clone(),
            max_images: self.max_images,
            places_logo: self.logo == Logo::Edit,
        }
    }

    pub fn credits_for(&self, resolution: Resolution) -> Option<i64> {
        self.credits.get(resolution.as_str()).copied()
    }

    pub fn can_refine(&self) -> bool {
        self.edit_endpoint.is_some()
    }

    /// Why this model cannot draw what is asked (`ModelInfo::refusal`, the form's sentence too).
    pub fn refusal(&self, aspect: AspectRatio, resolution: Resolution, count: u32, with_logo: bool) -> Option<String> {
        self.info().refusal(aspect.as_fal(), resolution.as_str(), count, with_logo)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    default: String,
    draft: String,
    #[serde(rename = "final")]
    final_model: String,
    models: Vec<ModelSpec>,
}

/// The catalogue, checked.
#[derive(Debug, Clone)]
pub struct Catalogue {
    models: Vec<ModelSpec>,
    list: ModelList,
}

/// Why a catalogue cannot be used: one sentence naming the file, the model and the field.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the model catalogue {source_name}: {message}")]
pub struct CatalogueError {
    source_name: String,
    message: String,
}

impl Catalogue {
    /// The built-in catalogue.
    pub fn built_in() -> Result<Self, CatalogueError> {
        Self::parse(BUILT_IN, "(built in)")
    }

    /// `MODELS_FILE` when set, else the built-in one.
    pub fn load(path: Option<&Path>) -> Result<Self, CatalogueError> {
        let Some(path) = path else { return Self::built_in() };
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| CatalogueError { source_name: name.clone(), message: format!("cannot be read: {e}") })?;
        Self::parse(&text, &name)
    }

    pub fn parse(text: &str, source_name: &str) -> Result<Self, CatalogueError> {
        let fail = |message: String| CatalogueError { source_name: source_name.to_string(), message };
        let file: File = serde_json::from_str(text).map_err(|e| fail(format!("is not a valid catalogue: {e}")))?;
        for model in &file.models {
            check_model(model).map_err(|m| fail(format!("model {:?}: {m}", model.id)))?;
        }
        for (i, model) in file.models.iter().enumerate() {
            if file.models[..i].iter().any(|m| m.id == model.id) {
                return Err(fail(format!("model {:?} is listed twice", model.id)));
            }
        }
        for (role, id) in [("default", &file.default), ("draft", &file.draft), ("final", &file.final_model)] {
            if !file.models.iter().any(|m| &m.id == id) {
                return Err(fail(format!("\"{role}\" names {id:?}, which is not one of its models")));
            }
        }
        let list = ModelList {
            models: file.models.iter().map(ModelSpec::info).collect(),
            default: file.default,
            draft: file.draft,
            final_model: file.final_model,
        };
        Ok(Self { models: file.models, list })
    }

    /// The default model drawn at `endpoint` (and refined at `{endpoint}/edit`): what the
    /// `FAL_MODEL` setting meant before there was a catalogue.
    pub fn with_default_endpoint(mut self, endpoint: &str) -> Self {
        let id = self.list.default.clone();
        for model in self.models.iter_mut().filter(|m| m.id == id) {
            model.endpoint = endpoint.to_string();
            model.edit_endpoint = Some(format!("{endpoint}/edit"));
        }
        self.list.models = self.models.iter().map(ModelSpec::info).collect();
        self
    }

    pub fn list(&self) -> &ModelList {
        &self.list
    }

    pub fn get(&self, id: &str) -> Option<&ModelSpec> {
        self.models.iter().find(|m| m.id == id)
    }

    pub fn default_model(&self) -> &ModelSpec {
        self.get(&self.list.default).unwrap_or(&self.models[0])
    }

    pub fn final_model(&self) -> &ModelSpec {
        self.get(&self.list.final_model).unwrap_or_else(|| self.default_model())
    }

    /// The model a stored job was drawn with: its own, or (a job from before the choice, or a
    /// model since removed from the catalogue) the legacy one, else the default.
    pub fn of_job(&self, stored: Option<&str>) -> &ModelSpec {
        self.get(stored.unwrap_or(LEGACY_MODEL)).or_else(|| self.get(LEGACY_MODEL)).unwrap_or_else(|| self.default_model())
    }

    /// The model a request names (`None`: the default); an unknown one is a `400` naming `model`.
    pub fn named(&self, id: Option<&str>) -> Result<&ModelSpec, AppError> {
        match id {
            None => Ok(self.default_model()),
            Some(id) => self.get(id).ok_or_else(|| {
                let known: Vec<&str> = self.models.iter().map(|m| m.id.as_str()).collect();
                AppError::invalid_field("model", format!("There is no model {id:?}; choose one of {}.", known.join(", ")))
            }),
        }
    }
}

fn check_model(model: &ModelSpec) -> Result<(), String> {
    let plain = |s: &str| !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !plain(&model.id) {
        return Err("\"id\" must be 1–64 letters, digits, '-', '.' or '_'".into());
    }
    let endpoint = |e: &str| !e.is_empty() && e.split('/').count() >= 2 && e.split('/').all(plain);
    if !endpoint(&model.endpoint) {
        return Err(format!("\"endpoint\" {:?} is not a fal endpoint id such as fal-ai/nano-banana-pro", model.endpoint));
    }
    if let Some(edit) = &model.edit_endpoint {
        if !endpoint(edit) {
            return Err(format!("\"edit_endpoint\" {edit:?} is not a fal endpoint id"));
        }
        if model.edit_image_field.is_none() {
            return Err("\"edit_image_field\" (image_urls or image_url) is required with an edit_endpoint".into());
        }
    }
    if model.logo == Logo::Edit && model.edit_endpoint.is_none() {
        return Err("\"logo\": \"edit\" places the logo through the edit endpoint, and there is no \"edit_endpoint\"".into());
    }
    if model.credits.is_empty() {
        return Err("\"credits\" offers no size".into());
    }
    for (size, credits) in &model.credits {
        if size.parse::<Resolution>().is_err() {
            return Err(format!("\"credits\" has {size:?}; sizes are 1K, 2K and 4K"));
        }
        if *credits < 1 {
            return Err(format!("\"credits\" for {size} must be a whole number of at least 1"));
        }
    }
    if model.aspect_ratios.is_empty() {
        return Err("\"aspect_ratios\" is empty".into());
    }
    for ratio in &model.aspect_ratios {
        if ratio.parse::<AspectRatio>().map(|r| r.as_fal() != ratio).unwrap_or(true) {
            return Err(format!("\"aspect_ratios\" has {ratio:?}; ratios are {}", AspectRatio::ALL.map(|r| r.as_fal()).join(", ")));
        }
    }
    if !(1..=crate::model::MAX_IMAGES).contains(&model.max_images) {
        return Err(format!("\"max_images\" must be 1 to {}", crate::model::MAX_IMAGES));
    }
    if model.size == SizeInput::ImageSize {
        for size in model.credits.keys() {
            for ratio in &model.aspect_ratios {
                if !model.image_sizes.get(size).is_some_and(|t| t.contains_key(ratio)) {
                    return Err(format!("\"image_sizes\" has no {size} size for {ratio}"));
                }
            }
        }
    }
    if model.brief_max_chars < 200 {
        return Err("\"brief_max_chars\" must be at least 200".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;

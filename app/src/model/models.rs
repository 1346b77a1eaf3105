//! The models a picture can be drawn with, as the API (`GET /api/models/`) and the form show
//! them: what each offers and costs. The catalogue behind it (`server::models`) holds how each
//! one's inputs are written.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One model: its id (what `"model"` names in a create), its fal endpoints, what it can draw and
/// what an image costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelInfo {
    #[cfg_attr(feature = "ssr", schema(example = "nano-banana-pro"))]
    pub id: String,
    pub name: String,
    /// fal's endpoint it draws with.
    #[cfg_attr(feature = "ssr", schema(example = "fal-ai/nano-banana-pro"))]
    pub endpoint: String,
    /// The endpoint refinements go to; `null`: it cannot refine (choose another model to).
    pub edit_endpoint: Option<String>,
    /// Draws SVG (served as SVG, with PNG renditions).
    pub vector: bool,
    /// Credits per image by resolution (`1K`, `2K`, `4K`); a size it does not offer is absent.
    #[cfg_attr(feature = "ssr", schema(value_type = Object, example = json!({"1K": 1, "2K": 1, "4K": 2})))]
    pub credits: BTreeMap<String, i64>,
    /// The aspect ratios it draws, as `16:9`.
    pub aspect_ratios: Vec<String>,
    /// Most images one create may ask of it.
    pub max_images: u32,
    /// Whether a brand kit's logo can be placed in its pictures.
    pub places_logo: bool,
}

impl ModelInfo {
    /// Credits one image at `resolution` costs, if the model offers that size.
    pub fn credits_for(&self, resolution: &str) -> Option<i64> {
        self.credits.get(resolution).copied()
    }

    /// Why this model cannot draw `aspect` (`16:9`) at `resolution` (`1K`), `count` at a time,
    /// with a logo when `with_logo`: the sentence the server answers beside `model` and the form
    /// shows under the model; `None` when it can.
    pub fn refusal(&self, aspect: &str, resolution: &str, count: u32, with_logo: bool) -> Option<String> {
        if !self.aspect_ratios.iter().any(|r| r == aspect) {
            return Some(format!("{} does not draw {aspect}; it draws {}.", self.name, self.aspect_ratios.join(", ")));
        }
        if self.credits_for(resolution).is_none() {
            let sizes: Vec<&str> = self.credits.keys().map(String::as_str).collect();
            return Some(format!("{} does not draw at {resolution}; it offers {}.", self.name, sizes.join(", ")));
        }
        if count > self.max_images {
            return Some(format!("{} draws at most {} image{} at a time.", self.name, self.max_images, if self.max_images == 1 { "" } else { "s" }));
        }
        if with_logo && !self.places_logo {
            return Some(format!("{} cannot place a logo; choose another model, or a brand kit without a logo.", self.name));
        }
        None
    }

    /// Why this model cannot make `count` refinements of a picture of `aspect` at `resolution`
    /// (it has no edit endpoint, or does not draw that ratio, size or count); `None` when it can.
    pub fn refine_refusal(&self, aspect: &str, resolution: &str, count: u32) -> Option<String> {
        if self.edit_endpoint.is_none() {
            return Some(format!("{} cannot refine a picture.", self.name));
        }
        self.refusal(aspect, resolution, count, false)
    }
}

/// `GET /api/models/`: every model, and which one a create gets by default, as a draft and as
/// a final.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelList {
    pub models: Vec<ModelInfo>,
    /// The model of a create that names none.
    pub default: String,
    /// The cheapest fast model: the form's "Draft".
    pub draft: String,
    /// The form's "Final", and what `POST /api/infographs/{id}/finalize/` redraws with.
    #[serde(rename = "final")]
    pub final_model: String,
}

impl ModelList {
    pub fn get(&self, id: &str) -> Option<&ModelInfo> {
        self.models.iter().find(|m| m.id == id)
    }
}

/// The `model` field of a create, regenerate or refine: a catalogue id, trimmed; `None` when not
/// given. Whether the catalogue has it is the server's to say.
pub fn parse_model(raw: Option<&str>) -> Result<Option<String>, super::Invalid> {
    let Some(id) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    let plain = id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !plain {
        return Err("The model must be one of the ids GET /api/models/ lists, like nano-banana-pro.".into());
    }
    Ok(Some(id.to_string()))
}

/// The body of `POST /api/infographs/{id}/regenerate/` (optional): another model to draw it with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RegenerateRequest {
    /// An id from `GET /api/models/`; default: the picture's own model.
    #[serde(deserialize_with = "super::field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false, example = "nano-banana-pro"))]
    pub model: Option<String>,
}

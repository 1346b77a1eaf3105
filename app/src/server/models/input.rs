//! A drawing request written for the model it goes to: which endpoint, and the input JSON in
//! that model's own field names (what fal validates). One function for every model, driven by
//! the catalogue's description of it.

use super::{Colors, EditImage, ModelSpec, SizeInput};
use crate::model::{AspectRatio, Resolution};
use serde_json::{json, Map, Value};

/// What a job asks of a model.
#[derive(Debug, Clone)]
pub struct Draw<'a> {
    pub prompt: String,
    pub aspect: AspectRatio,
    pub resolution: Resolution,
    /// The brand kit's colours, `#rrggbb`.
    pub colors: &'a [String],
    /// The image to change: a refinement's source, or the logo a new picture places. `Some`
    /// sends the request to the edit endpoint.
    pub image: Option<String>,
}

/// Why a model cannot take the request (a stored job whose model lost what it needs).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct Unsupported(String);

/// The endpoint and the input for `draw` on `model`.
pub fn for_model(model: &ModelSpec, draw: &Draw<'_>) -> Result<(String, Value), Unsupported> {
    let mut input = Map::new();
    input.insert("prompt".into(), json!(draw.prompt));
    if model.num_images {
        input.insert("num_images".into(), json!(1));
    }
    size(model, draw, &mut input)?;
    if let Some(format) = &model.output_format {
        input.insert("output_format".into(), json!(format));
    }
    colors(model.colors, draw.colors, &mut input);
    let endpoint = match &draw.image {
        None => {
            input.extend(model.fixed.clone());
            model.endpoint.clone()
        }
        Some(url) => {
            let (endpoint, field) = model
                .edit_endpoint
                .as_ref()
                .zip(model.edit_image_field)
                .ok_or_else(|| Unsupported(format!("{} has no edit endpoint", model.name)))?;
            match field {
                EditImage::ImageUrls => input.insert("image_urls".into(), json!([url])),
                EditImage::ImageUrl => input.insert("image_url".into(), json!(url)),
            };
            input.extend(model.edit_fixed.clone());
            endpoint.clone()
        }
    };
    Ok((endpoint, Value::Object(input)))
}

fn size(model: &ModelSpec, draw: &Draw<'_>, input: &mut Map<String, Value>) -> Result<(), Unsupported> {
    match model.size {
        SizeInput::AspectRatio => {
            input.insert("aspect_ratio".into(), json!(draw.aspect.as_fal()));
            input.insert("resolution".into(), json!(draw.resolution.as_str()));
        }
        SizeInput::ImageSize => {
            let size = model
                .image_sizes
                .get(draw.resolution.as_str())
                .and_then(|table| table.get(draw.aspect.as_fal()))
                .ok_or_else(|| Unsupported(format!("{} has no {} size for {}", model.name, draw.resolution.as_str(), draw.aspect.as_fal())))?;
            input.insert("image_size".into(), serde_json::to_value(size).unwrap_or(Value::Null));
        }
    }
    Ok(())
}

/// `#rrggbb` as `{r, g, b}`; anything else is left out.
fn rgb(hex: &str) -> Option<Value> {
    let digits = hex.strip_prefix('#').filter(|d| d.len() == 6 && d.is_ascii())?;
    let channel = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
    Some(json!({"r": channel(0)?, "g": channel(2)?, "b": channel(4)?}))
}

fn colors(mode: Colors, colors: &[String], input: &mut Map<String, Value>) {
    let rgbs: Vec<Value> = colors.iter().filter_map(|c| rgb(c)).collect();
    if rgbs.is_empty() {
        return;
    }
    match mode {
        Colors::Brief => {}
        Colors::Colors => {
            input.insert("colors".into(), Value::Array(rgbs));
        }
        // The kit's first colour leads; later ones weigh less (fal takes 0.05 to 1).
        Colors::ColorPalette => {
            let members: Vec<Value> = rgbs
                .into_iter()
                .enumerate()
                .map(|(i, rgb)| json!({"rgb": rgb, "color_weight": (1.0 - 0.2 * i as f64).max(0.05)}))
                .collect();
            input.insert("color_palette".into(), json!({"members": members}));
        }
    }
}

//! The refine request: new versions of a completed infograph, made from it with an instruction.
//! One description for the REST body, the OpenAPI document and the viewer's server function.

use super::create::parse_count;
use super::field::{self, FieldErrors, Invalid};
use serde::{Deserialize, Serialize};

pub const INSTRUCTION_MAX_CHARS: usize = 2000;

/// `POST /api/infographs/{id}/refine/`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RefineRequest {
    /// What to change ("make the title larger, use dark blue"), 1–2000 characters.
    // Optional here so that a missing one is refused in words, with the other fields' problems.
    #[serde(deserialize_with = "field::text")]
    #[cfg_attr(
        feature = "ssr",
        schema(required = true, value_type = String, min_length = 1, max_length = 2000, pattern = "\\S", example = "Make the title larger and use dark blue")
    )]
    pub instruction: Option<String>,
    /// 1–4 new versions, as a number or a string. Default 1.
    #[serde(deserialize_with = "field::text_or_number")]
    #[cfg_attr(feature = "ssr", schema(required = false, value_type = Option<Object>, example = 1))]
    pub number_of_infographs: Option<String>,
    /// Refine with another model (an id from `GET /api/models/`, with an edit endpoint), at its
    /// price. Default: the picture's own model; one that cannot refine is a `400` naming `model`.
    #[serde(deserialize_with = "field::text")]
    #[cfg_attr(feature = "ssr", schema(required = false, example = "nano-banana-pro"))]
    pub model: Option<String>,
}

/// A validated refine request.
#[derive(Debug, Clone, PartialEq)]
pub struct RefineCommand {
    pub instruction: String,
    pub count: u32,
    pub model: Option<String>,
}

pub fn parse_instruction(raw: Option<&str>) -> Result<String, Invalid> {
    if raw.map(str::trim).unwrap_or_default().is_empty() {
        return Err("Say what should change, e.g. \"make the title larger\".".into());
    }
    field::written_text(raw, "The instruction", INSTRUCTION_MAX_CHARS)
}

impl RefineRequest {
    /// Validates every field and reports all problems at once, keyed by field name.
    pub fn validate(&self) -> Result<RefineCommand, FieldErrors> {
        let mut errors = FieldErrors::new();
        let instruction = parse_instruction(self.instruction.as_deref()).map_err(|e| errors.insert("instruction".into(), e.0)).ok();
        let count = parse_count(self.number_of_infographs.as_deref()).map_err(|e| errors.insert("number_of_infographs".into(), e.0)).ok();
        let model = super::models::parse_model(self.model.as_deref()).map_err(|e| errors.insert("model".into(), e.0)).ok();
        match (instruction, count, model) {
            (Some(instruction), Some(count), Some(model)) if errors.is_empty() => Ok(RefineCommand { instruction, count, model }),
            _ => Err(errors),
        }
    }
}

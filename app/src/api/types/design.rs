//! Outlines and brand kits: what an infographic will say, and how it should look.

use super::rfc3339;
use serde::Serialize;
use utoipa::ToSchema;

/// What an infographic will say: from `POST /api/outlines/`, and accepted back (edited) by create.
#[derive(Serialize, ToSchema)]
pub struct OutlineJson {
    /// 1–120 characters.
    pub title: String,
    /// Up to 200 characters.
    #[schema(required = false)]
    pub subtitle: Option<String>,
    /// 1–8 sections (the builder gives 3–8).
    pub sections: Vec<OutlineSectionJson>,
    /// The layout that fits it: `auto`, `timeline`, `process`, `comparison`, `statistics`, `list`,
    /// `hierarchy`, `cycle` or `map`.
    #[schema(required = false)]
    pub layout: Option<String>,
    /// In answers only: `heuristic` (the built-in builder) or `model` (`OUTLINE_MODEL` on fal).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub made_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OutlineSectionJson {
    /// 1–80 characters.
    pub heading: String,
    /// Up to 240 characters.
    #[schema(required = false)]
    pub line: Option<String>,
    /// The key figure ("58 %"), up to 40 characters.
    #[schema(required = false)]
    pub figure: Option<String>,
    /// The source sentence it came from (not drawn), up to 600 characters.
    #[schema(required = false)]
    pub source: Option<String>,
}

impl From<crate::model::design::Outline> for OutlineJson {
    fn from(o: crate::model::design::Outline) -> Self {
        Self {
            title: o.title,
            subtitle: o.subtitle,
            layout: Some(o.layout.as_str().to_string()),
            made_by: None,
            sections: o
                .sections
                .into_iter()
                .map(|s| OutlineSectionJson { heading: s.heading, line: Some(s.line), figure: s.figure, source: s.source })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BrandKitJson {
    pub id: String,
    pub name: String,
    pub colors: Vec<String>,
    pub font_mood: String,
    pub tone: String,
    /// Our copy of the logo (send your token to fetch it), absolute; `null` without a logo.
    pub logo_url: Option<String>,
    pub is_default: bool,
    pub created_at: String,
}

impl BrandKitJson {
    pub fn from_view(k: crate::model::design::BrandKitView, base: &str) -> Self {
        Self {
            logo_url: k.logo_url.map(|u| format!("{base}{u}")),
            font_mood: k.font_mood.as_str().to_string(),
            created_at: rfc3339(k.created_at),
            id: k.id,
            name: k.name,
            colors: k.colors,
            tone: k.tone,
            is_default: k.is_default,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BrandKitList {
    pub count: usize,
    pub kits: Vec<BrandKitJson>,
}

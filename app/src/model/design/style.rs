use super::names;
use crate::model::Invalid;
use serde::{Deserialize, Serialize};

/// The visual style. Each has a small swatch in the form (its colours, in CSS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    Flat,
    Isometric,
    HandDrawn,
    Editorial,
    Corporate,
    Playful,
}

impl Style {
    pub const ALL: [Style; 6] = [Self::Flat, Self::Isometric, Self::HandDrawn, Self::Editorial, Self::Corporate, Self::Playful];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Flat => "flat",
            Self::Isometric => "isometric",
            Self::HandDrawn => "hand_drawn",
            Self::Editorial => "editorial",
            Self::Corporate => "corporate",
            Self::Playful => "playful",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Flat => "Flat",
            Self::Isometric => "Isometric",
            Self::HandDrawn => "Hand-drawn",
            Self::Editorial => "Editorial",
            Self::Corporate => "Corporate",
            Self::Playful => "Playful",
        }
    }

    /// What the brief asks of the model.
    pub fn instruction(self) -> &'static str {
        match self {
            Self::Flat => "flat design: solid colours, simple geometric icons, no gradients or shadows",
            Self::Isometric => "isometric 3D illustration: objects drawn at 30 degrees, soft shading",
            Self::HandDrawn => "hand-drawn: sketchy ink lines, marker colours, handwritten-looking headings",
            Self::Editorial => "editorial: magazine layout, strong typography, restrained palette, thin rules",
            Self::Corporate => "corporate: clean grid, muted blues and greys, professional icons",
            Self::Playful => "playful: bright colours, rounded shapes, friendly characters",
        }
    }

    /// The form's preview swatch: a CSS gradient of the style's typical colours.
    pub fn swatch(self) -> &'static str {
        match self {
            Self::Flat => "linear-gradient(90deg,#2563eb 33%,#f59e0b 33% 66%,#10b981 66%)",
            Self::Isometric => "linear-gradient(135deg,#a5b4fc,#6366f1 50%,#312e81)",
            Self::HandDrawn => "repeating-linear-gradient(45deg,#fef3c7 0 6px,#fde68a 6px 8px)",
            Self::Editorial => "linear-gradient(90deg,#111827 25%,#f9fafb 25% 75%,#b91c1c 75%)",
            Self::Corporate => "linear-gradient(90deg,#1e3a8a,#64748b)",
            Self::Playful => "linear-gradient(90deg,#f472b6,#facc15,#34d399,#60a5fa)",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| Invalid(format!("must be one of {}", names(Self::ALL.iter().map(|s| s.as_str())))))
    }
}

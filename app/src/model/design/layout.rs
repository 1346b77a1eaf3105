use super::names;
use crate::model::Invalid;
use serde::{Deserialize, Serialize};

/// How the content is arranged. `Auto`: from the outline (its suggestion), else the model's pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    #[default]
    Auto,
    Timeline,
    Process,
    Comparison,
    Statistics,
    List,
    Hierarchy,
    Cycle,
    Map,
}

impl Layout {
    pub const ALL: [Layout; 9] = [
        Self::Auto,
        Self::Timeline,
        Self::Process,
        Self::Comparison,
        Self::Statistics,
        Self::List,
        Self::Hierarchy,
        Self::Cycle,
        Self::Map,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Timeline => "timeline",
            Self::Process => "process",
            Self::Comparison => "comparison",
            Self::Statistics => "statistics",
            Self::List => "list",
            Self::Hierarchy => "hierarchy",
            Self::Cycle => "cycle",
            Self::Map => "map",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Auto => "Automatic",
            Self::Timeline => "Timeline",
            Self::Process => "Process / steps",
            Self::Comparison => "Comparison",
            Self::Statistics => "Statistics",
            Self::List => "List",
            Self::Hierarchy => "Hierarchy",
            Self::Cycle => "Cycle",
            Self::Map => "Map",
        }
    }

    /// What the brief asks of the model.
    pub fn instruction(self) -> Option<&'static str> {
        Some(match self {
            Self::Auto => return None,
            Self::Timeline => "a timeline: the sections in chronological order along one axis, each with its date or period",
            Self::Process => "a process: numbered steps connected by arrows, in order",
            Self::Comparison => "a comparison: the options side by side in columns, the same points for each",
            Self::Statistics => "statistics: each section built around its key figure, shown large, with simple charts",
            Self::List => "a list: the sections as a vertical list of blocks, each with an icon",
            Self::Hierarchy => "a hierarchy: a tree or pyramid from the most general to the most specific",
            Self::Cycle => "a cycle: the sections around a circle, arrows from each to the next and back to the first",
            Self::Map => "a map: the sections placed on a map or a spatial diagram where they happen",
        })
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim().to_ascii_lowercase().replace([' ', '-', '/'], "_");
        let raw = if raw == "process_steps" || raw == "steps" { "process".to_string() } else { raw };
        Self::ALL.into_iter().find(|l| l.as_str() == raw).ok_or_else(|| Invalid(format!("must be one of {}", names(Self::ALL.iter().map(|l| l.as_str())))))
    }
}

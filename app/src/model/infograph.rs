//! One infograph as the browser sees it (its view), and everything the viewer page shows of it.

use super::image::{GALLERY_WIDTHS, THUMBNAIL_EDGE};
use super::job::{JobStatus, Phase};
use super::share;
use serde::{Deserialize, Serialize};

/// What the browser and the REST API see of one infograph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfographView {
    pub id: String,
    pub status: JobStatus,
    /// Its name (`model::title`): the outline's or the article's title, else written from the
    /// prompt; the same for every version of a family unless its owner renames one.
    #[serde(default)]
    pub title: String,
    pub prompt: String,
    pub blog_url: Option<String>,
    pub aspect_ratio: String,
    pub resolution: String,
    /// The catalogue model that draws it (`GET /api/models/`).
    #[serde(default)]
    pub model: String,
    pub image_url: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub error: Option<String>,
    pub refunded: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Failed because its owner (or an admin) cancelled it before fal started it.
    pub cancelled: bool,
    /// A cancel request can still act on it.
    pub cancellable: bool,
    /// Our stored thumbnail (gallery size), once the image has been copied.
    pub thumbnail_url: Option<String>,
    /// fal's URL, once `image_url` is our own copy.
    pub source_image_url: Option<String>,
    /// Bumped on every user-visible change of the job: a view with a lower version is stale.
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub phase: Phase,
    /// The job's place in fal's queue while `phase` is `in_queue`.
    #[serde(default)]
    pub queue_position: Option<i64>,
    /// Estimated completion in percent; below 100 until the image exists.
    #[serde(default)]
    pub progress: u8,
    /// Estimated milliseconds until completion, when there is an estimate.
    #[serde(default)]
    pub eta_ms: Option<i64>,
    /// Bumped on phase changes within a status (see [`InfographView::is_newer_than`]).
    #[serde(default)]
    pub progress_version: i64,
    /// The infograph this one refines; `None` for an original.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// The original's id, shared by every version.
    #[serde(default)]
    pub family_id: Option<String>,
    /// What the refinement asked to change.
    #[serde(default)]
    pub instruction: Option<String>,
    /// How many versions its family has (the gallery shows a family as one card); 0 when not
    /// counted.
    #[serde(default)]
    pub versions: i64,
    /// What the picture shows, in words: the owner's, else written from its brief.
    #[serde(default)]
    pub alt_text: String,
    /// How it was asked to look (`design::Layout`, `design::Style`, a language code) and the
    /// brand kit it was made with.
    #[serde(default)]
    pub layout: String,
    #[serde(default)]
    pub style: Option<String>,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub brand_kit_id: Option<String>,
    /// Its proofread in brief (`None` before it is completed).
    #[serde(default)]
    pub proofread: Option<super::proofread::ProofreadBadge>,
    /// What made this version.
    #[serde(default)]
    pub kind: VersionKind,
}

/// What made a version: the model from a brief, the model from an instruction, fal's
/// layerize-text (its words as editable boxes), or the owner's own text edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VersionKind {
    #[default]
    Generated,
    Refined,
    Layers,
    TextEdit,
}

impl VersionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Generated => "generated",
            Self::Refined => "refined",
            Self::Layers => "layers",
            Self::TextEdit => "text_edit",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Generated, Self::Refined, Self::Layers, Self::TextEdit].into_iter().find(|k| k.as_str() == text)
    }

    /// Whether its words are boxes the owner can edit (and export as SVG and PDF).
    pub fn has_layers(self) -> bool {
        matches!(self, Self::Layers | Self::TextEdit)
    }
}

/// Everything the viewer page shows about one infograph: its current state, its family, the
/// brief that was sent, and what it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewerData {
    pub item: InfographView,
    /// The whole family, oldest first (the original, then every refinement).
    pub versions: Vec<InfographView>,
    pub brief: Option<String>,
    pub model: String,
    /// Credits charged for this image (refunded when `item.refunded`).
    pub cost: i64,
    pub submitted_at: Option<i64>,
    pub completed_at: Option<i64>,
    /// Its live share link, if the owner published it.
    pub share: Option<share::ShareView>,
    /// The brand kit it was made with, as it was then (its name).
    #[serde(default)]
    pub brand_name: Option<String>,
    /// This version's proofread, whole (the card's summary is `item.proofread`).
    #[serde(default)]
    pub proofread: Option<super::proofread::ProofreadView>,
    /// A layered or text-edited version's boxes, for the text editor.
    #[serde(default)]
    pub layers: Option<super::layers::LayersView>,
    /// What "Make the text editable" costs, in credits.
    #[serde(default)]
    pub layers_cost: i64,
}

impl ViewerData {
    /// Where `id` sits in the family, counted from 1 (the original is version 1).
    pub fn version_number(&self, id: &str) -> Option<usize> {
        self.versions.iter().position(|v| v.id == id).map(|i| i + 1)
    }

    /// The versions before and after the one shown, for arrow-key navigation.
    pub fn neighbours(&self) -> (Option<&InfographView>, Option<&InfographView>) {
        match self.versions.iter().position(|v| v.id == self.item.id) {
            Some(i) => (i.checked_sub(1).and_then(|p| self.versions.get(p)), self.versions.get(i + 1)),
            None => (None, None),
        }
    }
}

#[cfg(test)]
impl InfographView {
    /// A plain view for unit tests; override what the test is about with `..`.
    pub(crate) fn sample(status: JobStatus, phase: Phase) -> Self {
        Self {
            id: "job".into(),
            status,
            title: "P".into(),
            prompt: "p".into(),
            blog_url: None,
            aspect_ratio: "1:1".into(),
            resolution: "1K".into(),
            model: "nano-banana-pro".into(),
            image_url: None,
            width: None,
            height: None,
            error: None,
            refunded: false,
            created_at: 0,
            updated_at: 0,
            cancelled: false,
            cancellable: false,
            thumbnail_url: None,
            source_image_url: None,
            version: 0,
            phase,
            queue_position: None,
            progress: 0,
            eta_ms: None,
            progress_version: 0,
            parent_id: None,
            family_id: None,
            instruction: None,
            versions: 0,
            alt_text: String::new(),
            layout: "auto".into(),
            style: None,
            language: "en".into(),
            brand_kit_id: None,
            proofread: None,
            kind: VersionKind::Generated,
        }
    }
}

impl InfographView {
    /// The full image as WebP (a rendition of our stored copy, much smaller than its PNG), once
    /// our copy exists.
    pub fn image_webp_url(&self) -> Option<String> {
        let url = self.image_url.as_deref().filter(|u| u.starts_with("/media/"))?;
        let (stem, ext) = url.rsplit_once('.')?;
        (ext != "webp").then(|| format!("{stem}.webp"))
    }

    /// Where our copy's renditions are named from (`/media/<id>/<hash>`), once the copier has
    /// stored it with its JPEG thumbnail.
    fn renditions_stem(&self) -> Option<&str> {
        self.thumbnail_url.as_deref()?.strip_suffix("-thumb.jpg")
    }

    /// The WebP beside our copy's JPEG thumbnail (the copier stores both).
    pub fn thumbnail_webp_url(&self) -> Option<String> {
        Some(format!("{}-thumb.webp", self.renditions_stem()?))
    }

    /// WebP sizes of our copy for a gallery card's `srcset`: the thumbnail, then the
    /// [`GALLERY_WIDTHS`] renditions (made on first request), each with its true width, so a
    /// phone's denser screen gets a sharp picture and a laptop's small card the thumbnail.
    pub fn gallery_srcset(&self) -> Option<String> {
        let stem = self.renditions_stem()?;
        let (w, h) = (u32::try_from(self.width?).ok()?, u32::try_from(self.height?).ok()?);
        let thumb = (u64::from(w) * u64::from(THUMBNAIL_EDGE) / u64::from(w.max(h).max(1))) as u32;
        let mut candidates = vec![(self.thumbnail_webp_url()?, thumb.min(w))];
        for width in GALLERY_WIDTHS {
            if w > candidates.last().map_or(0, |(_, last)| *last) {
                candidates.push((format!("{stem}-w{width}.webp"), width.min(w)));
            }
        }
        Some(candidates.iter().map(|(url, width)| format!("{url} {width}w")).collect::<Vec<_>>().join(", "))
    }

    /// Nothing more will change: failed, or completed and (if it can be) in our storage. A
    /// completed job still `storing` gets its own URL and thumbnail soon, so a card keeps
    /// listening (or polling) for it.
    pub fn is_settled(&self) -> bool {
        match self.status {
            JobStatus::Failed => true,
            JobStatus::Completed => self.phase != Phase::Storing,
            _ => false,
        }
    }

    /// Whether this view is at least as recent as `other`: statuses are ordered by `version`,
    /// phases within a status by `progress_version`.
    pub fn is_newer_than(&self, other: &InfographView) -> bool {
        (self.version, self.progress_version) >= (other.version, other.progress_version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gallery_srcset_offers_true_widths_never_upscaled() {
        let view = |w: i64, h: i64| InfographView {
            thumbnail_url: Some("/media/i/ab-thumb.jpg".into()),
            width: Some(w),
            height: Some(h),
            ..InfographView::sample(JobStatus::Completed, Phase::Done)
        };
        assert_eq!(
            view(1024, 576).gallery_srcset().as_deref(),
            Some("/media/i/ab-thumb.webp 400w, /media/i/ab-w600.webp 600w, /media/i/ab-w700.webp 700w, /media/i/ab-w800.webp 800w, /media/i/ab-w1200.webp 1024w")
        );
        assert_eq!(view(683, 1024).gallery_srcset().as_deref(), Some("/media/i/ab-thumb.webp 266w, /media/i/ab-w600.webp 600w, /media/i/ab-w700.webp 683w"));
        assert_eq!(view(300, 200).gallery_srcset().as_deref(), Some("/media/i/ab-thumb.webp 300w"));
        assert_eq!(InfographView::sample(JobStatus::Completed, Phase::Done).gallery_srcset(), None, "no copy of ours yet");
        assert_eq!(view(1024, 576).thumbnail_webp_url().as_deref(), Some("/media/i/ab-thumb.webp"));
        assert_eq!(InfographView::sample(JobStatus::Completed, Phase::Done).thumbnail_webp_url(), None);
    }
}

//! An infograph as the REST API shows it, and what can be changed of it.

use super::rfc3339;
use crate::model::proofread::ProofreadStatus;
use crate::model::infograph::VersionKind;
use crate::model::{InfographView, JobStatus, Phase};
use serde::Serialize;
use utoipa::ToSchema;

/// One infograph as the REST API shows it.
#[derive(Serialize, ToSchema)]
pub struct InfographJson {
    pub id: String,
    pub status: JobStatus,
    /// Set once completed: our stored copy once it is made (absolute URL; send the token to
    /// fetch it), fal's URL until then.
    pub image_url: Option<String>,
    /// A ~400 px JPEG of the stored copy, for galleries.
    pub thumbnail_url: Option<String>,
    /// fal's URL, once `image_url` is our copy.
    pub source_image_url: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// Its name: the outline's title, else the article's, else one written from the prompt;
    /// the same for every version unless renamed (`PATCH`).
    pub title: String,
    /// What its author asked for (empty when a blog post or an outline said what to show).
    pub prompt: String,
    pub blog_url: Option<String>,
    pub aspect_ratio: String,
    pub resolution: String,
    /// Why it failed.
    pub error: Option<String>,
    /// Its credits were given back (a failure or a cancel).
    pub refunded: bool,
    /// Cancelled before fal started it.
    pub cancelled: bool,
    /// `POST .../cancel/` can still act on it.
    pub cancellable: bool,
    /// RFC 3339.
    pub created_at: String,
    pub updated_at: String,
    /// Grows with every status change: an answer with a lower version is stale.
    pub version: i64,
    /// Grows with every phase change within a status.
    pub progress_version: i64,
    pub phase: Phase,
    /// Place in fal's queue (0 = next) while `phase` is `in_queue`.
    pub queue_position: Option<i64>,
    /// Estimated percent done; below 100 until the image exists.
    pub progress: u8,
    /// Estimated seconds left, when there is an estimate.
    pub eta_seconds: Option<i64>,
    /// The infograph this one refines (`null` for an original).
    pub parent_id: Option<String>,
    /// The original's id, shared by every version of its family.
    pub family_id: Option<String>,
    /// What the refinement asked to change (`null` for an original).
    pub instruction: Option<String>,
    /// What the picture shows, in words (the owner's, else written from its brief): use it as
    /// the image's `alt`.
    pub alt_text: String,
    /// Its public page while it is shared (`POST .../share/`), else `null`.
    pub share_url: Option<String>,
    /// How it was asked to look (see create).
    pub layout: String,
    pub style: Option<String>,
    pub language: String,
    pub brand_kit_id: Option<String>,
    /// Its proofread in brief (the whole of it: `GET .../proofread/`).
    pub proofread: ProofreadJson,
    /// What made this version: `generated`, `refined`, `layers` (its words as editable boxes,
    /// `GET .../layers/`) or `text_edit` (boxes edited by its owner).
    pub kind: VersionKind,
    /// The model that draws it: an id of `GET /api/models/`.
    #[schema(example = "nano-banana-pro")]
    pub model: String,
}

/// Where a picture's proofread stands, and how many problems it found.
#[derive(Serialize, ToSchema)]
pub struct ProofreadJson {
    /// `pending` until the picture exists and its read-back is back; `not_proofread` for a picture
    /// that failed, or whose read-back failed or timed out.
    pub status: ProofreadStatus,
    /// Problems found (0 until `done`).
    pub problems: u32,
}

impl ProofreadJson {
    fn of(v: &InfographView) -> Self {
        match (&v.proofread, v.status) {
            (Some(badge), _) => Self { status: badge.status, problems: badge.problems },
            (None, JobStatus::Failed) => Self { status: ProofreadStatus::NotProofread, problems: 0 },
            (None, _) => Self { status: ProofreadStatus::Pending, problems: 0 },
        }
    }
}

impl InfographJson {
    /// `base`: our public URL; stored images have relative URLs (the browser asks its own
    /// origin), API clients get them absolute.
    pub fn from_view(v: &InfographView, base: &str) -> Self {
        let absolute = |url: &Option<String>| url.as_ref().map(|u| if u.starts_with('/') { format!("{base}{u}") } else { u.clone() });
        Self {
            id: v.id.clone(),
            status: v.status,
            image_url: absolute(&v.image_url),
            thumbnail_url: absolute(&v.thumbnail_url),
            source_image_url: v.source_image_url.clone(),
            width: v.width,
            height: v.height,
            title: v.title.clone(),
            prompt: v.prompt.clone(),
            blog_url: v.blog_url.clone(),
            aspect_ratio: v.aspect_ratio.clone(),
            resolution: v.resolution.clone(),
            error: v.error.clone(),
            refunded: v.refunded,
            cancelled: v.cancelled,
            cancellable: v.cancellable,
            created_at: rfc3339(v.created_at),
            updated_at: rfc3339(v.updated_at),
            version: v.version,
            progress_version: v.progress_version,
            phase: v.phase,
            queue_position: v.queue_position,
            progress: v.progress,
            eta_seconds: v.eta_ms.map(|ms| (ms + 999) / 1000),
            parent_id: v.parent_id.clone(),
            family_id: v.family_id.clone().or_else(|| Some(v.id.clone())),
            instruction: v.instruction.clone(),
            alt_text: v.alt_text.clone(),
            share_url: None,
            layout: v.layout.clone(),
            style: v.style.clone(),
            language: v.language.clone(),
            brand_kit_id: v.brand_kit_id.clone(),
            proofread: ProofreadJson::of(v),
            kind: v.kind,
            model: v.model.clone(),
        }
    }

    /// The same, with its live share link's public URL.
    pub fn shared(mut self, share_url: Option<String>) -> Self {
        self.share_url = share_url;
        self
    }
}

#[derive(Serialize, ToSchema)]
pub struct InfographList {
    pub count: usize,
    pub infographs: Vec<InfographJson>,
}

/// `PATCH /api/infographs/{id}/`: what can be changed.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InfographPatch {
    /// Its name, shown wherever it is named (1–120 characters, one line); renames every version.
    #[schema(required = false, min_length = 1, max_length = 120, pattern = "\\S")]
    pub title: Option<String>,
    /// What the picture shows, in words (1–1000 characters, one paragraph); `null` goes back to
    /// the text written from its brief.
    #[schema(required = false, min_length = 1, max_length = 1000, pattern = "\\S", nullable = true)]
    pub alt_text: Option<String>,
}

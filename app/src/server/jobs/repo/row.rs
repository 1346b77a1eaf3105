//! The row type of `infographs` and the columns it is read from.

use crate::model::JobStatus;
use crate::server::platform::db::text_column;

text_column!(JobStatus, |text| text.parse().ok());

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InfographRow {
    pub id: String,
    pub user_id: String,
    pub batch_id: String,
    pub user_prompt: String,
    pub built_prompt: Option<String>,
    pub blog_url: Option<String>,
    pub aspect_ratio: String,
    pub resolution: String,
    pub cost: i64,
    pub status: JobStatus,
    pub version: i64,
    pub attempts: i64,
    pub lease_until: Option<i64>,
    pub fal_request_id: Option<String>,
    pub fal_status_url: Option<String>,
    pub fal_response_url: Option<String>,
    pub fal_cancel_url: Option<String>,
    pub image_url: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub error_message: Option<String>,
    pub refunded_at: Option<i64>,
    pub submit_started_at: Option<i64>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub updated_at: i64,
    pub cancel_requested_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub regenerated_from: Option<String>,
    /// fal's URL once our copy serves `image_url` (see `delivery::copier`).
    pub source_image_url: Option<String>,
    pub thumbnail_url: Option<String>,
    /// What fal's status URL last said (`IN_QUEUE`, `IN_PROGRESS`), see `jobs::progress_poller`.
    pub fal_phase: Option<String>,
    pub queue_position: Option<i64>,
    pub progress_version: i64,
    /// When our storage got its copy.
    pub stored_at: Option<i64>,
    /// When the copier stopped trying: the job keeps fal's URL.
    pub storage_gave_up_at: Option<i64>,
    /// The infograph this one refines (`None` for an original).
    pub parent_id: Option<String>,
    /// The original's id, shared by every version.
    pub family_id: Option<String>,
    /// What the refinement asked to change.
    pub instruction: Option<String>,
    /// The owner's description of the picture (`None`: written from the brief).
    pub alt_text: Option<String>,
    /// How it was asked to look (`None` for infographs older than these settings).
    pub layout: Option<String>,
    pub style: Option<String>,
    pub language: Option<String>,
    pub brand_kit_id: Option<String>,
    /// JSON: the brand kit as it was (`design::BrandSnapshot`), and the reviewed outline.
    pub brand: Option<String>,
    pub outline: Option<String>,
    /// Its name when known: the outline's, the article's, or its owner's (`model::title`).
    pub title: Option<String>,
    /// The proofread's summary (`server::proofread`): `None` until one is asked for.
    pub proofread_status: Option<String>,
    pub proofread_problems: Option<i64>,
    pub proofread_words_expected: Option<i64>,
    pub proofread_words_found: Option<i64>,
    /// A version made by "Fix these words": 1 paid, 2 the family's free fix (`FixKind`).
    pub proofread_fix: i64,
    /// What made it: `generated`, `refined`, `layers`, `text_edit` (`model::VersionKind`).
    pub kind: String,
    /// A layered or text-edited version's layers (`server::layers::StoredLayers`, JSON).
    pub layers: Option<String>,
    /// The catalogue model it is drawn with (`server::models`); none: from before the choice.
    pub model: Option<String>,
}

impl InfographRow {
    /// Its name: the one it was given (an outline's, the article's, its owner's), else one
    /// written from the prompt (`model::title`).
    pub fn name(&self) -> String {
        self.title.clone().unwrap_or_else(|| crate::model::title::from_prompt(&self.user_prompt))
    }

    /// What was debited for it: nothing for a text edit or the family's free fix.
    pub fn charged(&self) -> i64 {
        if self.kind == "text_edit" || self.proofread_fix == 2 { 0 } else { self.cost }
    }

    pub fn status(&self) -> JobStatus {
        self.status
    }

    /// Whether a cancel can still act: not final, and not in the instant between our decision to
    /// submit and fal's answer (the job may already be at fal with no cancel URL known yet).
    pub fn cancellable(&self) -> bool {
        match self.status() {
            JobStatus::Queued => self.submit_started_at.is_none(),
            JobStatus::Processing => self.fal_cancel_url.is_some() && self.cancel_requested_at.is_none(),
            _ => false,
        }
    }
}

pub const COLUMNS: &str = "id, user_id, batch_id, user_prompt, built_prompt, blog_url, \
    aspect_ratio, resolution, cost, status, version, attempts, lease_until, fal_request_id, fal_status_url, \
    fal_response_url, fal_cancel_url, image_url, width, height, error_message, refunded_at, \
    submit_started_at, created_at, submitted_at, completed_at, updated_at, cancel_requested_at, \
    cancelled_at, deleted_at, regenerated_from, source_image_url, thumbnail_url, fal_phase, queue_position, \
    progress_version, stored_at, storage_gave_up_at, parent_id, family_id, instruction, alt_text, \
    layout, style, language, brand_kit_id, brand, outline, title, \
    proofread_status, proofread_problems, proofread_words_expected, proofread_words_found, proofread_fix, kind, layers, model";

//! Domain types shared by the server and the browser: parsed once at the edge, typed afterwards.

pub mod admin;
pub mod billing;
pub mod design;
pub mod share;
pub mod showcase;
pub mod title;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub const PROMPT_MAX_CHARS: usize = 4000;
pub const MAX_IMAGES: u32 = 4;
/// The long edge of gallery thumbnails (`THUMBNAIL_EDGE`'s default), for `srcset` widths.
pub const THUMBNAIL_EDGE: u32 = 400;
/// The widths a gallery card offers past the thumbnail. 700 and 800 are for phones, whose
/// one-column cards are the screen less 34 px: at 1.75 to 2 device pixels per pixel a 360–412
/// px screen wants 570–760, and the browser takes the smallest width at least that wide (with
/// only 600 and 1200 a 412 px phone took the 1200, about twice the bytes; with 800 next, the
/// 800, a sixth more than the 700).
pub const GALLERY_WIDTHS: [u32; 4] = [600, 700, 800, 1200];
pub const BLOG_URL_MAX_CHARS: usize = 2048;

/// The ten aspect ratios fal's nano-banana-pro accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AspectRatio {
    #[serde(rename = "21:9")]
    R21x9,
    #[serde(rename = "16:9")]
    R16x9,
    #[serde(rename = "3:2")]
    R3x2,
    #[serde(rename = "4:3")]
    R4x3,
    #[serde(rename = "5:4")]
    R5x4,
    #[serde(rename = "1:1")]
    R1x1,
    #[serde(rename = "4:5")]
    R4x5,
    #[serde(rename = "3:4")]
    R3x4,
    #[serde(rename = "2:3")]
    R2x3,
    #[serde(rename = "9:16")]
    R9x16,
}

impl AspectRatio {
    pub const ALL: [AspectRatio; 10] = [
        Self::R21x9,
        Self::R16x9,
        Self::R3x2,
        Self::R4x3,
        Self::R5x4,
        Self::R1x1,
        Self::R4x5,
        Self::R3x4,
        Self::R2x3,
        Self::R9x16,
    ];

    /// fal's spelling, e.g. `16:9`.
    pub fn as_fal(self) -> &'static str {
        match self {
            Self::R21x9 => "21:9",
            Self::R16x9 => "16:9",
            Self::R3x2 => "3:2",
            Self::R4x3 => "4:3",
            Self::R5x4 => "5:4",
            Self::R1x1 => "1:1",
            Self::R4x5 => "4:5",
            Self::R3x4 => "3:4",
            Self::R2x3 => "2:3",
            Self::R9x16 => "9:16",
        }
    }

    pub fn ratio(self) -> (u32, u32) {
        let (w, h) = self.as_fal().split_once(':').unwrap_or(("1", "1"));
        (w.parse().unwrap_or(1), h.parse().unwrap_or(1))
    }

    /// Pixel size for a resolution: the longer side is the resolution's edge.
    pub fn dimensions(self, resolution: Resolution) -> (u32, u32) {
        let (w, h) = self.ratio();
        let edge = resolution.long_edge();
        if w >= h {
            (edge, edge * h / w)
        } else {
            (edge * w / h, edge)
        }
    }
}

impl FromStr for AspectRatio {
    type Err = String;
    /// Accepts both the seed API's `16/9` and fal's `16:9`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let normalized = s.trim().replace('/', ":");
        Self::ALL
            .into_iter()
            .find(|r| r.as_fal() == normalized)
            .ok_or_else(|| {
                format!(
                    "must be one of {}",
                    Self::ALL.map(|r| r.as_fal()).join(", ")
                )
            })
    }
}

impl fmt::Display for AspectRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_fal())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resolution {
    #[serde(rename = "1K")]
    K1,
    #[serde(rename = "2K")]
    K2,
    #[serde(rename = "4K")]
    K4,
}

impl Resolution {
    pub const ALL: [Resolution; 3] = [Self::K1, Self::K2, Self::K4];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::K1 => "1K",
            Self::K2 => "2K",
            Self::K4 => "4K",
        }
    }

    pub fn long_edge(self) -> u32 {
        match self {
            Self::K1 => 1024,
            Self::K2 => 2048,
            Self::K4 => 4096,
        }
    }

    /// Credits one image costs: fal bills 4K at twice the price.
    pub fn credits_per_image(self) -> i64 {
        match self {
            Self::K4 => 2,
            _ => 1,
        }
    }
}

impl FromStr for Resolution {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "1K" => Ok(Self::K1),
            "2K" => Ok(Self::K2),
            "4K" => Ok(Self::K4),
            _ => Err("must be one of 1K, 2K, 4K".into()),
        }
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a job is. Transitions are checked by [`JobStatus::can_become`]; final states never move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Processing,
    Completed,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Processing => "processing",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }

    /// The whole state machine: queued → processing → completed | failed, and a queued job may
    /// fail before it is ever submitted. Nothing leaves a final state.
    pub fn can_become(self, next: JobStatus) -> bool {
        use JobStatus::*;
        matches!(
            (self, next),
            (Queued, Processing) | (Queued, Failed) | (Processing, Completed) | (Processing, Failed)
        )
    }

    /// The states a job may be in for `next` to be written; used in `WHERE status IN (...)`.
    pub fn predecessors(next: JobStatus) -> Vec<JobStatus> {
        [Self::Queued, Self::Processing, Self::Completed, Self::Failed]
            .into_iter()
            .filter(|s| s.can_become(next))
            .collect()
    }
}

impl FromStr for JobStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "queued" => Ok(Self::Queued),
            "processing" => Ok(Self::Processing),
            "completed" => Ok(Self::Completed),
            "failed" => Ok(Self::Failed),
            other => Err(format!("unknown job status {other:?}")),
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A create request as it arrives (form fields or JSON), before validation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawCreate {
    pub prompt: Option<String>,
    pub blog_url: Option<String>,
    pub aspect_ratio: Option<String>,
    pub resolution: Option<String>,
    pub number_of_infographs: Option<String>,
    /// Layout, style, language, brand kit, outline.
    #[serde(default)]
    pub design: design::RawDesign,
}

/// A validated create command: every field typed.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateCommand {
    /// What the author asked for; empty when a blog post or an outline says what to show.
    pub prompt: String,
    pub blog_url: Option<url::Url>,
    pub aspect_ratio: AspectRatio,
    pub resolution: Resolution,
    pub count: u32,
    pub design: design::Design,
}

impl CreateCommand {
    pub fn cost(&self) -> i64 {
        i64::from(self.count) * self.resolution.credits_per_image()
    }
}

pub type FieldErrors = BTreeMap<String, String>;

/// Why a field's value was refused, in words shown next to the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl From<&str> for Invalid {
    fn from(message: &str) -> Self {
        Self(message.to_string())
    }
}

impl From<String> for Invalid {
    fn from(message: String) -> Self {
        Self(message)
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The sentence shown when a create has nothing to make a picture from.
pub const NOTHING_TO_MAKE: &str =
    "Say what the infographic should show, or give a blog post URL or a reviewed outline to make it from.";

/// The author's words, trimmed; empty when not given (a source may say what to show: see
/// [`validate_create`]).
pub fn parse_prompt(raw: Option<&str>) -> Result<String, Invalid> {
    let prompt = raw.map(str::trim).unwrap_or_default();
    let length = prompt.chars().count();
    if length > PROMPT_MAX_CHARS {
        return Err(format!("The prompt can be at most {PROMPT_MAX_CHARS} characters long; this one has {length}.").into());
    }
    if prompt.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err("The prompt must not contain control characters.".into());
    }
    Ok(prompt.to_string())
}

pub fn parse_blog_url(raw: Option<&str>) -> Result<Option<url::Url>, Invalid> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if raw.len() > BLOG_URL_MAX_CHARS {
        return Err(format!("The blog post URL can be at most {BLOG_URL_MAX_CHARS} characters long.").into());
    }
    let url = url::Url::parse(raw).map_err(|_| Invalid::from("The blog post URL must be a web address, like https://example.com/my-post."))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("The blog post URL must start with http:// or https://.".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("The blog post URL must name a site, like https://example.com/my-post.".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("The blog post URL must not contain a user name or password.".into());
    }
    Ok(Some(url))
}

pub fn parse_count(raw: Option<&str>) -> Result<u32, Invalid> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(1);
    };
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_IMAGES).contains(&n) => Ok(n),
        _ => Err(format!("The number of images must be a whole number from 1 to {MAX_IMAGES}.").into()),
    }
}

/// Validates every field and reports all problems at once, keyed by field name.
pub fn validate_create(raw: &RawCreate) -> Result<CreateCommand, FieldErrors> {
    let mut errors = FieldErrors::new();
    let prompt = parse_prompt(raw.prompt.as_deref())
        .map_err(|e| errors.insert("prompt".into(), e.0))
        .ok();
    let blog_url = parse_blog_url(raw.blog_url.as_deref())
        .map_err(|e| errors.insert("blog_url".into(), e.0))
        .ok();
    let aspect_ratio = non_empty(&raw.aspect_ratio)
        .map_or(Ok(AspectRatio::R1x1), str::parse)
        .map_err(|e| errors.insert("aspect_ratio".into(), e))
        .ok();
    let resolution = non_empty(&raw.resolution)
        .map_or(Ok(Resolution::K1), str::parse)
        .map_err(|e| errors.insert("resolution".into(), e))
        .ok();
    let count = parse_count(raw.number_of_infographs.as_deref())
        .map_err(|e| errors.insert("number_of_infographs".into(), e.0))
        .ok();
    let design = design::validate_design(&raw.design, &mut errors);
    // A blog post or an outline says what to show; without either, the prompt must.
    let has_source = matches!(blog_url, Some(Some(_))) || design.as_ref().is_some_and(|d| d.outline.is_some());
    if prompt.as_deref() == Some("") && !has_source {
        errors.insert("prompt".into(), NOTHING_TO_MAKE.into());
    }
    match (prompt, blog_url, aspect_ratio, resolution, count, design) {
        (Some(prompt), Some(blog_url), Some(aspect_ratio), Some(resolution), Some(count), Some(design))
            if errors.is_empty() =>
        {
            Ok(CreateCommand { prompt, blog_url, aspect_ratio, resolution, count, design })
        }
        _ => Err(errors),
    }
}

pub const INSTRUCTION_MAX_CHARS: usize = 2000;

/// A refine request as it arrives, before validation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawRefine {
    pub instruction: Option<String>,
    pub number_of_infographs: Option<String>,
}

/// A validated refine request.
#[derive(Debug, Clone, PartialEq)]
pub struct RefineCommand {
    pub instruction: String,
    pub count: u32,
}

pub fn parse_instruction(raw: Option<&str>) -> Result<String, Invalid> {
    let text = raw.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err("Say what should change, e.g. \"make the title larger\".".into());
    }
    let length = text.chars().count();
    if length > INSTRUCTION_MAX_CHARS {
        return Err(format!("The instruction can be at most {INSTRUCTION_MAX_CHARS} characters long; this one has {length}.").into());
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err("The instruction must not contain control characters.".into());
    }
    Ok(text.to_string())
}

pub fn validate_refine(raw: &RawRefine) -> Result<RefineCommand, FieldErrors> {
    let mut errors = FieldErrors::new();
    let instruction = parse_instruction(raw.instruction.as_deref()).map_err(|e| errors.insert("instruction".into(), e.0)).ok();
    let count = parse_count(raw.number_of_infographs.as_deref()).map_err(|e| errors.insert("number_of_infographs".into(), e.0)).ok();
    match (instruction, count) {
        (Some(instruction), Some(count)) if errors.is_empty() => Ok(RefineCommand { instruction, count }),
        _ => Err(errors),
    }
}

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

/// Where a job is in its life, finer than [`JobStatus`]: what the progress bar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    #[default]
    Queued,
    ReadingBlog,
    Submitted,
    InQueue,
    Generating,
    /// Completed at fal, being copied to our storage.
    Storing,
    Done,
    Failed,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::ReadingBlog => "reading_blog",
            Self::Submitted => "submitted",
            Self::InQueue => "in_queue",
            Self::Generating => "generating",
            Self::Storing => "storing",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    /// What a person reads, e.g. "In fal's queue (position 3)".
    pub fn label(self, queue_position: Option<i64>) -> String {
        match (self, queue_position) {
            (Self::Queued, _) => "Queued".into(),
            (Self::ReadingBlog, _) => "Reading the blog".into(),
            (Self::Submitted, _) => "Submitted".into(),
            (Self::InQueue, Some(n)) => format!("In fal's queue (position {})", n + 1),
            (Self::InQueue, None) => "In fal's queue".into(),
            (Self::Generating, _) => "Generating".into(),
            (Self::Storing, _) => "Storing".into(),
            (Self::Done, _) => "Done".into(),
            (Self::Failed, _) => "Failed".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountView {
    pub email: String,
    pub credit_balance: i64,
    pub is_admin: bool,
    /// Until the address is confirmed the account has no sign-up credits.
    #[serde(default)]
    pub email_verified: bool,
}

/// One API token as its owner sees it (its secret is shown once, at creation, and never again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiTokenView {
    pub id: String,
    pub name: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds, to the minute; `None` if never used.
    pub last_used_at: Option<i64>,
}

/// What a token made without a name is called, given the account's tokens: "Token N", N one
/// more than their number, or the next N no token is called yet. Shared by the server (which
/// names it) and the settings form (which shows the name as its placeholder).
pub fn default_token_name(existing: &[ApiTokenView]) -> String {
    (existing.len() + 1..)
        .map(|n| format!("Token {n}"))
        .find(|name| !existing.iter().any(|t| &t.name == name))
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedJob {
    pub id: String,
    pub request_id: Option<String>,
    pub status: JobStatus,
    pub status_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreateResponse {
    pub infographs: Vec<CreatedJob>,
    pub total_submitted: usize,
    pub credits_used: i64,
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

    fn raw(prompt: &str) -> RawCreate {
        RawCreate { prompt: Some(prompt.into()), ..Default::default() }
    }

    #[test]
    fn aspect_ratio_accepts_both_spellings_and_all_ten() {
        assert_eq!("16/9".parse::<AspectRatio>(), Ok(AspectRatio::R16x9));
        assert_eq!("16:9".parse::<AspectRatio>(), Ok(AspectRatio::R16x9));
        for r in AspectRatio::ALL {
            assert_eq!(r.as_fal().parse::<AspectRatio>(), Ok(r));
            assert_eq!(r.as_fal().replace(':', "/").parse::<AspectRatio>(), Ok(r));
        }
        assert!("16x9".parse::<AspectRatio>().is_err());
        assert!("2:1".parse::<AspectRatio>().is_err());
        assert!("auto".parse::<AspectRatio>().is_err());
    }

    #[test]
    fn dimensions_follow_the_ratio() {
        assert_eq!(AspectRatio::R16x9.dimensions(Resolution::K1), (1024, 576));
        assert_eq!(AspectRatio::R9x16.dimensions(Resolution::K2), (1152, 2048));
        assert_eq!(AspectRatio::R1x1.dimensions(Resolution::K4), (4096, 4096));
    }

    #[test]
    fn resolution_parses_and_prices() {
        assert_eq!("4k".parse::<Resolution>(), Ok(Resolution::K4));
        assert!("8K".parse::<Resolution>().is_err());
        assert_eq!(Resolution::K1.credits_per_image(), 1);
        assert_eq!(Resolution::K2.credits_per_image(), 1);
        assert_eq!(Resolution::K4.credits_per_image(), 2);
    }

    #[test]
    fn cost_is_images_times_resolution_price() {
        let mut r = raw("x");
        r.number_of_infographs = Some("3".into());
        r.resolution = Some("4K".into());
        assert_eq!(validate_create(&r).map(|c| c.cost()), Ok(6));
        r.resolution = Some("2K".into());
        assert_eq!(validate_create(&r).map(|c| c.cost()), Ok(3));
    }

    #[test]
    fn defaults_apply_when_optional_fields_are_missing() {
        let cmd = validate_create(&raw("  a chart  ")).expect("valid");
        assert_eq!(cmd.prompt, "a chart");
        assert_eq!(cmd.count, 1);
        assert_eq!(cmd.aspect_ratio, AspectRatio::R1x1);
        assert_eq!(cmd.resolution, Resolution::K1);
        assert_eq!(cmd.blog_url, None);
    }

    #[test]
    fn every_bad_field_is_reported_by_name() {
        let r = RawCreate {
            prompt: Some("   ".into()),
            blog_url: Some("ftp://example.com/x".into()),
            aspect_ratio: Some("7:3".into()),
            resolution: Some("8K".into()),
            number_of_infographs: Some("5".into()),
            design: design::RawDesign { layout: Some("spiral".into()), style: Some("baroque".into()), language: Some("xx".into()), brand_kit_id: Some("no/such".into()), outline: Some("{".into()) },
        };
        let errors = validate_create(&r).expect_err("invalid");
        for field in ["prompt", "blog_url", "aspect_ratio", "resolution", "number_of_infographs", "layout", "style", "language", "brand_kit_id", "outline"] {
            assert!(errors.contains_key(field), "{field} missing from {errors:?}");
        }
    }

    #[test]
    fn a_source_makes_the_prompt_optional() {
        let blog = RawCreate { blog_url: Some("https://example.com/post".into()), ..Default::default() };
        assert_eq!(validate_create(&blog).map(|c| c.prompt), Ok(String::new()));
        let outline = r#"{"title":"Bees","sections":[{"heading":"Dance"}]}"#;
        let outlined = RawCreate { design: design::RawDesign { outline: Some(outline.into()), ..Default::default() }, ..Default::default() };
        assert!(validate_create(&outlined).is_ok());
        let nothing = validate_create(&RawCreate::default()).expect_err("nothing to make");
        assert_eq!(nothing.get("prompt").map(String::as_str), Some(NOTHING_TO_MAKE));
        assert!(NOTHING_TO_MAKE.ends_with('.') && NOTHING_TO_MAKE.starts_with(char::is_uppercase), "a whole sentence");
    }

    #[test]
    fn prompt_length_is_bounded_in_characters() {
        assert!(parse_prompt(Some(&"é".repeat(PROMPT_MAX_CHARS))).is_ok());
        assert!(parse_prompt(Some(&"é".repeat(PROMPT_MAX_CHARS + 1))).is_err());
        assert_eq!(parse_prompt(None).as_deref(), Ok(""));
        assert!(parse_prompt(Some("line one\nline two\ttabbed")).is_ok());
        assert!(parse_prompt(Some("nul \0 byte")).is_err());
    }

    #[test]
    fn counts_outside_one_to_four_are_rejected() {
        for bad in ["0", "5", "-1", "1.5", "two", "99999999999"] {
            assert!(parse_count(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(parse_count(Some("4")), Ok(4));
        assert_eq!(parse_count(None), Ok(1));
    }

    #[test]
    fn blog_urls_must_be_http_with_a_host() {
        assert!(parse_blog_url(Some("https://example.com/post")).unwrap().is_some());
        assert_eq!(parse_blog_url(Some("  ")), Ok(None));
        for bad in ["javascript:alert(1)", "file:///etc/passwd", "not a url", "http://user:pw@example.com/"] {
            assert!(parse_blog_url(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn state_machine_never_leaves_a_final_state() {
        use JobStatus::*;
        assert!(Queued.can_become(Processing));
        assert!(Queued.can_become(Failed));
        assert!(Processing.can_become(Completed));
        assert!(Processing.can_become(Failed));
        for from in [Completed, Failed] {
            for to in [Queued, Processing, Completed, Failed] {
                assert!(!from.can_become(to), "{from} -> {to}");
            }
        }
        assert!(!Queued.can_become(Completed));
        assert!(!Processing.can_become(Queued));
        assert_eq!(JobStatus::predecessors(Failed), vec![Queued, Processing]);
        assert_eq!(JobStatus::predecessors(Completed), vec![Processing]);
    }
}

//! The JSON shapes of the REST API: what handlers parse and send, and what the OpenAPI document
//! describes. One set of types for both, so the document cannot drift from what the API sends.

use crate::model::{InfographView, JobStatus, Phase};
use serde::Serialize;
#[allow(unused_imports)]
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The content type of every error body.
pub const ERR: &str = "application/json";

/// Every error body: a stable code, a sentence for people, and details where they apply.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// `invalid_input`, `unauthorized`, `bad_credentials`, `not_found`, `not_enough_credits`,
    /// `conflict`, `rate_limited`, `internal`, `invalid_signature`, `not_ready`, …
    pub error: String,
    pub message: String,
    /// For `invalid_input`: the problem with each named field.
    #[schema(required = false)]
    pub fields: Option<BTreeMap<String, String>>,
    /// For `not_enough_credits`.
    #[schema(required = false)]
    pub required: Option<i64>,
    #[schema(required = false)]
    pub balance: Option<i64>,
    /// For `rate_limited`: seconds to wait (also in `Retry-After`).
    #[schema(required = false)]
    pub retry_after: Option<u64>,
}

/// `POST /api/infographs/create/`. Counts may be sent as a string or a number (the original API
/// took both).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreateRequest {
    /// What the infographic should show (up to 4000 characters). Optional when `blog_url` or
    /// `outline` says what to show; required without either.
    #[schema(required = false, max_length = 4000, example = "The water cycle for 10-year-olds")]
    pub prompt: Option<String>,
    /// A blog post to read first (public http(s) only).
    #[schema(required = false, format = "uri", max_length = 2048)]
    pub blog_url: Option<String>,
    /// `16:9`, `1:1`, … (or `16/9`). Default `1:1`.
    #[schema(required = false, example = "16:9", pattern = "^(21[:/]9|16[:/]9|3[:/]2|4[:/]3|5[:/]4|1[:/]1|4[:/]5|3[:/]4|2[:/]3|9[:/]16)$")]
    pub aspect_ratio: Option<String>,
    /// `1K`, `2K` or `4K` (4K costs 2 credits an image). Default `1K`.
    #[schema(required = false, example = "1K", pattern = "^[124][Kk]$")]
    pub resolution: Option<String>,
    /// 1–4, as a number or a string. Default 1.
    #[schema(required = false, value_type = Option<Object>, example = 1)]
    pub number_of_infographs: Option<serde_json::Value>,
    /// `auto` (default: the outline's suggestion, else the model's pick), `timeline`, `process`,
    /// `comparison`, `statistics`, `list`, `hierarchy`, `cycle` or `map`.
    #[schema(required = false, example = "timeline")]
    pub layout: Option<String>,
    /// `flat`, `isometric`, `hand_drawn`, `editorial`, `corporate` or `playful`; default: clean
    /// and modern.
    #[schema(required = false, example = "isometric")]
    pub style: Option<String>,
    /// The language of the text in the image, a BCP-47 code (`en`, `de`, `ar`, `pt-BR`, `zh-Hans`,
    /// …, 26 in all; right-to-left scripts are laid out as such). Default `en`.
    #[schema(required = false, example = "de")]
    pub language: Option<String>,
    /// One of your brand kits (`/api/brand-kits/`): its colours, font mood and tone go into the
    /// brief, and its logo is placed in the image. Another user's kit is a `404`.
    #[schema(required = false)]
    pub brand_kit_id: Option<String>,
    /// A reviewed outline (from `POST /api/outlines/`, edited or not): what the image says, in
    /// place of reading `blog_url`.
    #[schema(required = false)]
    pub outline: Option<OutlineJson>,
}

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

/// `POST /api/outlines/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OutlineRequest {
    /// What the infographic should show, optional guidance (up to 4000 characters).
    #[schema(required = false, max_length = 4000)]
    pub prompt: Option<String>,
    /// A blog post to outline (public http(s) only).
    #[schema(required = false, format = "uri", max_length = 2048)]
    pub blog_url: Option<String>,
    /// Pasted text to outline instead (a draft, a post behind a login), up to 50 000 characters.
    #[schema(required = false, max_length = 50000)]
    pub source_text: Option<String>,
    /// The layout wanted (as on create); `auto` lets the outline suggest one.
    #[schema(required = false)]
    pub layout: Option<String>,
    /// The language the infographic's text will be in (as on create).
    #[schema(required = false)]
    pub language: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Credentials {
    #[schema(format = "email", max_length = 254, example = "ada@example.com")]
    pub email: String,
    /// 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128, example = "correct horse battery")]
    pub password: String,
}

/// Asks for a password reset link.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PasswordResetRequest {
    #[schema(format = "email", max_length = 254, example = "ada@example.com")]
    pub email: String,
}

/// Sets a new password through a reset link.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PasswordResetConfirm {
    /// The `token` query parameter of the emailed link.
    pub token: String,
    /// The new password: 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128, example = "correct horse battery staple")]
    pub password: String,
}

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
        }
    }

    /// The same, with its live share link's public URL.
    pub fn shared(mut self, share_url: Option<String>) -> Self {
        self.share_url = share_url;
        self
    }
}

pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct InfographList {
    pub count: usize,
    pub infographs: Vec<InfographJson>,
}

#[derive(Serialize, ToSchema)]
pub struct AccountJson {
    pub email: String,
    pub credit_balance: i64,
    /// The address is confirmed (the sign-up credits come with it).
    pub email_verified: bool,
    /// Emails when a job completes or fails (opt-in).
    pub notify_email: bool,
}

/// `POST /api/infographs/{id}/refine/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RefineRequest {
    /// What to change ("make the title larger, use dark blue"), 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S", example = "Make the title larger and use dark blue")]
    pub instruction: String,
    /// 1–4 new versions, as a number or a string. Default 1.
    #[schema(required = false, value_type = Option<Object>, example = 1)]
    pub number_of_infographs: Option<serde_json::Value>,
}

/// `PATCH /api/account/`: the settings that can be changed.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AccountPatch {
    pub notify_email: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Registered {
    /// Shown once: send it as `Authorization: Token <token>`.
    pub token: String,
    pub email: String,
    /// 0 until the address is confirmed.
    pub credit_balance: i64,
    /// `false`: follow the link we emailed to confirm the address and get the sign-up credits.
    pub email_verified: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Sent {
    pub sent: bool,
}

/// A new API token: its secret, shown this once, and how the token list names it.
#[derive(Serialize, ToSchema)]
pub struct TokenJson {
    pub token: String,
    pub id: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    pub tokens: Vec<crate::model::ApiTokenView>,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: String,
}

/// One Server-Sent Event of `GET /api/events/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LiveEvent {
    /// `ready` (the stream is open), `job` (`data` is the changed infograph's JSON, with
    /// `version`), `resync` (updates were dropped: refetch what you show).
    #[schema(pattern = "^(ready|job|resync)$")]
    pub event: String,
    pub data: String,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookAck {
    pub ok: bool,
    /// `false` for a duplicate delivery.
    pub changed: bool,
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

/// `POST /api/infographs/{id}/share/` (the body is optional).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ShareRequest {
    /// Let search engines index the public page (default `false`: `noindex`).
    #[schema(required = false)]
    pub indexable: Option<bool>,
}

/// An infograph's live share link.
#[derive(Serialize, ToSchema)]
pub struct ShareJson {
    /// The public page: no sign-in needed.
    pub url: String,
    /// The link's secret part (256 random bits).
    pub token: String,
    /// RFC 3339.
    pub created_at: String,
    /// Times the public page was opened.
    pub views: i64,
    pub indexable: bool,
    /// The picture behind the link, public (`null` until our copy of it exists).
    pub image_url: Option<String>,
}

impl From<crate::model::share::ShareView> for ShareJson {
    fn from(v: crate::model::share::ShareView) -> Self {
        Self { url: v.url, token: v.token, created_at: rfc3339(v.created_at), views: v.views, indexable: v.indexable, image_url: v.image_url }
    }
}

/// `POST /api/billing/purchases/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PurchaseRequest {
    /// The pack's id (its credits, e.g. `"50"`), from `GET /api/billing/packs/`.
    #[schema(example = "50")]
    pub pack: String,
    /// A Stripe PaymentMethod to charge at once; without it, confirm with the `client_secret`.
    #[schema(required = false, example = "pm_card_visa")]
    pub payment_method: Option<String>,
}

/// A pack for sale.
#[derive(Serialize, ToSchema)]
pub struct PackJson {
    pub id: String,
    pub credits: i64,
    /// In the currency's smallest unit (cents).
    pub amount: i64,
    pub currency: String,
    /// "$20.00".
    pub price: String,
    /// "$0.40 a credit".
    pub per_credit: String,
}

impl From<crate::model::billing::PackView> for PackJson {
    fn from(p: crate::model::billing::PackView) -> Self {
        Self { price: p.price(), per_credit: p.per_credit(), id: p.id, credits: p.credits, amount: p.amount, currency: p.currency }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PackList {
    /// Purchases can be made (Stripe is configured).
    pub configured: bool,
    pub currency: String,
    pub packs: Vec<PackJson>,
}

/// A purchase just started.
#[derive(Serialize, ToSchema)]
pub struct StartedPurchase {
    pub purchase_id: String,
    /// The PaymentIntent's client secret, for Stripe.js.
    pub client_secret: Option<String>,
    /// What will be charged, from the pack (in the smallest currency unit).
    pub amount: i64,
    pub currency: String,
    pub credits: i64,
    /// `pending` until Stripe's webhook says otherwise.
    #[schema(pattern = "^(pending|succeeded|failed)$")]
    pub status: String,
}

/// A purchase (a receipt once it succeeded).
#[derive(Serialize, ToSchema)]
pub struct PurchaseJson {
    pub id: String,
    pub pack: String,
    pub credits: i64,
    pub amount: i64,
    pub currency: String,
    #[schema(pattern = "^(pending|succeeded|failed)$")]
    pub status: String,
    /// Why it failed (the card issuer's words, when there are some).
    pub failure_reason: Option<String>,
    pub refunded_amount: i64,
    pub refunded_credits: i64,
    /// RFC 3339.
    pub created_at: String,
    pub completed_at: Option<String>,
}

impl From<crate::model::billing::PurchaseView> for PurchaseJson {
    fn from(p: crate::model::billing::PurchaseView) -> Self {
        Self {
            status: p.status.as_str().to_string(),
            created_at: rfc3339(p.created_at),
            completed_at: p.completed_at.map(rfc3339),
            id: p.id,
            pack: p.pack,
            credits: p.credits,
            amount: p.amount,
            currency: p.currency,
            failure_reason: p.failure_reason,
            refunded_amount: p.refunded_amount,
            refunded_credits: p.refunded_credits,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PurchaseList {
    pub count: usize,
    pub purchases: Vec<PurchaseJson>,
}

/// `POST /api/brand-kits/` (name and colours required) and `PATCH /api/brand-kits/{id}/` (any).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct KitRequest {
    /// 1–60 characters.
    #[schema(required = false, example = "Acme blue")]
    pub name: Option<String>,
    /// 1–6 colours, `#RRGGBB`.
    #[schema(required = false, example = json!(["#1D4ED8", "#F59E0B"]))]
    pub colors: Option<Vec<String>>,
    /// `modern_sans` (default), `classic_serif`, `rounded`, `handwritten` or `condensed`.
    #[schema(required = false)]
    pub font_mood: Option<String>,
    /// Up to 200 characters ("warm, plain words").
    #[schema(required = false)]
    pub tone: Option<String>,
    /// The kit the form preselects (one at most: setting it clears the others).
    #[schema(required = false)]
    pub is_default: Option<bool>,
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

//! A new job: the columns a create gives it, written `queued`.

use super::row::{InfographRow, COLUMNS};
use crate::model::JobStatus::Queued;
use crate::server::platform::db::{new_id, Conn};

/// The design columns of a new job.
#[derive(Clone, Copy, Default)]
pub struct JobDesign<'a> {
    pub layout: &'a str,
    pub style: Option<&'a str>,
    pub language: &'a str,
    pub brand_kit_id: Option<&'a str>,
    /// JSON of the brand snapshot and of the outline.
    pub brand: Option<&'a str>,
    pub outline: Option<&'a str>,
}

/// Whether a job is a proofread's fix, and whether it is the family's free one (charged nothing,
/// so refunded nothing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FixKind {
    #[default]
    NotAFix,
    Paid,
    Free,
}

impl FixKind {
    fn column(self) -> i64 {
        match self {
            Self::NotAFix => 0,
            Self::Paid => 1,
            Self::Free => 2,
        }
    }
}

/// What a new job is made of; every image of a create is one row.
#[derive(Clone, Copy)]
pub struct NewJob<'a> {
    pub user_id: &'a str,
    pub batch_id: &'a str,
    pub prompt: &'a str,
    pub blog_url: Option<&'a str>,
    pub aspect_ratio: &'a str,
    pub resolution: &'a str,
    pub cost: i64,
    pub regenerated_from: Option<&'a str>,
    /// How it should look (`design`), as stored.
    pub design: JobDesign<'a>,
    /// For a refinement: its source, its family and what to change.
    pub parent_id: Option<&'a str>,
    pub family_id: Option<&'a str>,
    pub instruction: Option<&'a str>,
    /// Its name, when known at create (an outline's, or the family's for a new version);
    /// otherwise the worker names it from the article it reads.
    pub title: Option<&'a str>,
    /// The owner's alt text a new version keeps from its source.
    pub alt_text: Option<&'a str>,
    /// Made by "Fix these words" (`server::proofread`).
    pub proofread_fix: FixKind,
    /// What makes it (`model::infograph::VersionKind`).
    pub kind: crate::model::infograph::VersionKind,
    /// The catalogue model that draws it.
    pub model: &'a str,
}

/// A `queued` row, inside the transaction that charged for it.
pub(in crate::server::jobs) async fn insert_queued(conn: &mut Conn, job: &NewJob<'_>, now: i64) -> Result<InfographRow, sqlx::Error> {
    sqlx::query_as::<_, InfographRow>(&format!(
        "INSERT INTO infographs (id, user_id, batch_id, user_prompt, blog_url, aspect_ratio, \
         resolution, cost, status, created_at, updated_at, regenerated_from, parent_id, family_id, instruction, \
         layout, style, language, brand_kit_id, brand, outline, title, alt_text, proofread_fix, kind, model) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '{}', $9, $9, $10, $11, COALESCE($12, $1), $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) RETURNING {COLUMNS}",
        Queued.as_str()
    ))
    .bind(new_id())
    .bind(job.user_id)
    .bind(job.batch_id)
    .bind(job.prompt)
    .bind(job.blog_url)
    .bind(job.aspect_ratio)
    .bind(job.resolution)
    .bind(job.cost)
    .bind(now)
    .bind(job.regenerated_from)
    .bind(job.parent_id)
    .bind(job.family_id)
    .bind(job.instruction)
    .bind(job.design.layout)
    .bind(job.design.style)
    .bind(job.design.language)
    .bind(job.design.brand_kit_id)
    .bind(job.design.brand)
    .bind(job.design.outline)
    .bind(job.title)
    .bind(job.alt_text)
    .bind(job.proofread_fix.column())
    .bind(job.kind.as_str())
    .bind(job.model)
    .fetch_one(conn)
    .await
}

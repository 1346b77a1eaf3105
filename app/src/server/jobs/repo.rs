//! The `infographs` table: the row type, its reads, and every write to it.
//!
//! A status change is a [`Transition`] (`from` → `to`, allowed by [`JobStatus::can_become`]) and
//! is written as a guarded `UPDATE ... WHERE status IN (from)`: a duplicate webhook, a reconciler
//! and a second instance can race for the same change, and exactly one of them gets
//! `rows_affected == 1`. The other writes (leases, fal's queue position, the cancel flag, our
//! stored copy, deletion) change no status and are guarded by the state they belong to. Nothing
//! else in the code base writes this table.

use crate::model::JobStatus;
use crate::server::billing::ledger;
use crate::server::fal::client::Submitted;
use crate::server::platform::db::{new_id, now_ms, plausible_id, Conn, Db, Writer};

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
    pub status: String,
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
}

impl InfographRow {
    /// Its name: the one it was given (an outline's, the article's, its owner's), else one
    /// written from the prompt (`model::title`).
    pub fn name(&self) -> String {
        self.title.clone().unwrap_or_else(|| crate::model::title::from_prompt(&self.user_prompt))
    }

    pub fn status(&self) -> JobStatus {
        // The CHECK constraint keeps the column to the four known values.
        self.status.parse().unwrap_or(JobStatus::Failed)
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
    layout, style, language, brand_kit_id, brand, outline, title";

/// A status change of the state machine.
pub struct Transition {
    pub from: &'static [JobStatus],
    pub to: JobStatus,
}

impl Transition {
    /// `status = 'to'`, for the `SET` list.
    fn set(&self) -> String {
        format!("status = '{}'", self.to.as_str())
    }

    /// `status IN ('from', ...)`, for the `WHERE` clause.
    fn guard(&self) -> String {
        let from: Vec<String> = self.from.iter().map(|s| format!("'{}'", s.as_str())).collect();
        format!("status IN ({})", from.join(","))
    }
}

use JobStatus::{Completed, Failed, Processing, Queued};
/// fal accepted the job (or its webhook proved it did).
pub const SUBMITTED: Transition = Transition { from: &[Queued], to: Processing };
/// fal delivered an image.
pub const COMPLETED: Transition = Transition { from: &[Processing], to: Completed };
/// It cannot succeed any more: before or after fal had it.
pub const FAILED: Transition = Transition { from: &[Queued, Processing], to: Failed };
/// Cancelled before it was ever handed to fal.
pub const CANCELLED: Transition = Transition { from: &[Queued], to: Failed };
pub const ALL: [&Transition; 4] = [&SUBMITTED, &COMPLETED, &FAILED, &CANCELLED];

/// Runs a guarded write: whether it changed the one row it is about (`false`: the guard did not
/// hold, someone else got there first).
async fn changed_one<'q>(w: &Writer<'_>, query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>) -> Result<bool, sqlx::Error> {
    Ok(query.execute(w.pool()).await?.rows_affected() == 1)
}

/// `status = 'x'`: a guard for writes that belong to one state.
fn in_state(status: JobStatus) -> String {
    format!("status = '{}'", status.as_str())
}

// ---- reads ----

pub async fn by_id(db: &Db, id: &str) -> Result<Option<InfographRow>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as::<_, InfographRow>(&format!("SELECT {COLUMNS} FROM infographs WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.read())
        .await
}

/// Ownership is part of the query: another user's id is indistinguishable from a missing one.
pub async fn owned(db: &Db, user_id: &str, id: &str) -> Result<Option<InfographRow>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as::<_, InfographRow>(&format!(
        "SELECT {COLUMNS} FROM infographs WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(db.read())
    .await
}

/// The user's newest infographs (deleted ones left out).
pub async fn list_owned(db: &Db, user_id: &str, limit: i64) -> Result<Vec<InfographRow>, sqlx::Error> {
    sqlx::query_as::<_, InfographRow>(&format!(
        "SELECT {COLUMNS} FROM infographs WHERE user_id = $1 AND deleted_at IS NULL \
         ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(limit)
    .fetch_all(db.read())
    .await
}

/// The user's gallery: the newest version of each family, with how many versions it has.
pub async fn list_families(db: &Db, user_id: &str, limit: i64) -> Result<Vec<(InfographRow, i64)>, sqlx::Error> {
    let columns = COLUMNS.split(", ").map(|c| format!("i.{c}")).collect::<Vec<_>>().join(", ");
    let rows: Vec<FamilyRow> = sqlx::query_as(&format!(
        "SELECT {columns}, (SELECT COUNT(*) FROM infographs f WHERE f.family_id = i.family_id AND f.deleted_at IS NULL) AS versions \
         FROM infographs i WHERE i.user_id = $1 AND i.deleted_at IS NULL \
         AND i.id = (SELECT g.id FROM infographs g WHERE g.family_id = i.family_id AND g.deleted_at IS NULL \
                     ORDER BY g.created_at DESC, g.id DESC LIMIT 1) \
         ORDER BY i.created_at DESC, i.id DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(limit)
    .fetch_all(db.read())
    .await?;
    Ok(rows.into_iter().map(|r| (r.row, r.versions)).collect())
}

#[derive(sqlx::FromRow)]
struct FamilyRow {
    #[sqlx(flatten)]
    row: InfographRow,
    versions: i64,
}

/// Every version of the family `id` belongs to, oldest first, if it is `user_id`'s.
pub async fn family_of(db: &Db, user_id: &str, id: &str) -> Result<Option<Vec<InfographRow>>, sqlx::Error> {
    let Some(row) = owned(db, user_id, id).await? else { return Ok(None) };
    let family = row.family_id.clone().unwrap_or_else(|| row.id.clone());
    let rows = sqlx::query_as::<_, InfographRow>(&format!(
        "SELECT {COLUMNS} FROM infographs WHERE family_id = $1 AND user_id = $2 AND deleted_at IS NULL ORDER BY created_at, id"
    ))
    .bind(family)
    .bind(user_id)
    .fetch_all(db.read())
    .await?;
    Ok(Some(rows))
}

/// Jobs still running that were created (or submitted) before `before`.
pub async fn running_since_before(db: &Db, before: i64, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM infographs WHERE status IN ('queued', 'processing') \
         AND COALESCE(submitted_at, created_at) < $1 LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(db.read())
    .await
}

/// Submission-to-completion times of the newest completions at `resolution` since `since`.
pub async fn recent_durations(db: &Db, resolution: &str, since: i64, limit: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT completed_at - submitted_at FROM infographs \
         WHERE status = 'completed' AND resolution = $1 AND completed_at > $2 AND submitted_at IS NOT NULL \
         ORDER BY completed_at DESC LIMIT $3",
    )
    .bind(resolution)
    .bind(since)
    .bind(limit)
    .fetch_all(db.read())
    .await
}

/// The object keys of job `id`'s stored image and thumbnail, if the job is `owner`'s (`None`:
/// whoever's it is).
pub async fn stored_keys(db: &Db, owner: Option<&str>, id: &str) -> Result<Option<(Option<String>, Option<String>)>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as("SELECT stored_image_key, stored_thumb_key FROM infographs WHERE id = $1 AND ($2 IS NULL OR user_id = $2)")
        .bind(id)
        .bind(owner)
        .fetch_optional(db.read())
        .await
}

// ---- creation ----

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
}

/// A `queued` row, inside the transaction that charged for it.
pub async fn insert_queued(conn: &mut Conn, job: &NewJob<'_>, now: i64) -> Result<InfographRow, sqlx::Error> {
    sqlx::query_as::<_, InfographRow>(&format!(
        "INSERT INTO infographs (id, user_id, batch_id, user_prompt, blog_url, aspect_ratio, \
         resolution, cost, status, created_at, updated_at, regenerated_from, parent_id, family_id, instruction, \
         layout, style, language, brand_kit_id, brand, outline, title, alt_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '{}', $9, $9, $10, $11, COALESCE($12, $1), $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING {COLUMNS}",
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
    .fetch_one(conn)
    .await
}

// ---- the worker: queued ----

/// Leases the oldest queued job nobody is preparing, never one whose submission was started
/// (it may be at fal: see [`record_intent`]).
pub async fn claim_queued(db: &Db, lease_ms: i64) -> Result<Option<InfographRow>, sqlx::Error> {
    let now = now_ms();
    let queued = in_state(Queued);
    let w = db.write().await;
    sqlx::query_as::<_, InfographRow>(&format!(
        "UPDATE infographs SET lease_until = $1, attempts = attempts + 1, updated_at = $2, progress_version = progress_version + 1 \
         WHERE id = (SELECT id FROM infographs WHERE {queued} AND submit_started_at IS NULL \
                     AND (lease_until IS NULL OR lease_until < $2) ORDER BY created_at LIMIT 1{}) \
           AND {queued} AND submit_started_at IS NULL AND (lease_until IS NULL OR lease_until < $2) \
         RETURNING {COLUMNS}",
        db.skip_locked()
    ))
    .bind(now + lease_ms)
    .bind(now)
    .fetch_optional(w.pool())
    .await
}

/// Stores the brief and the title it names (kept if the job already had one) and records the
/// intent to submit, if the lease is still ours: from here on the job is never claimed again, so
/// it is never submitted twice (see migration 0003).
pub async fn record_intent(db: &Db, id: &str, lease: i64, brief: &str, title: &str) -> Result<bool, sqlx::Error> {
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET built_prompt = $1, updated_at = $2, submit_started_at = $2, progress_version = progress_version + 1, \
         title = COALESCE(title, $5) \
         WHERE id = $3 AND {} AND lease_until = $4 AND submit_started_at IS NULL",
        in_state(Queued)
    ))
    .bind(brief)
    .bind(now_ms())
    .bind(id)
    .bind(lease)
    .bind(title))
    .await
}

/// queued → processing with fal's request, if our lease still holds and no webhook was adopted.
pub async fn record_submission(db: &Db, id: &str, lease: i64, s: &Submitted) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET {}, fal_request_id = $1, fal_status_url = $2, \
         fal_response_url = $3, fal_cancel_url = $4, submitted_at = $5, updated_at = $5, \
         lease_until = NULL, version = version + 1 \
         WHERE id = $6 AND {} AND lease_until = $7 AND fal_request_id IS NULL",
        SUBMITTED.set(),
        SUBMITTED.guard()
    ))
    .bind(&s.request_id)
    .bind(&s.status_url)
    .bind(&s.response_url)
    .bind(&s.cancel_url)
    .bind(now)
    .bind(id)
    .bind(lease))
    .await
}

/// queued → processing from a webhook for a job whose submission was never recorded (its worker
/// died between fal's answer and our write, or fal answered faster than we wrote): the signed
/// webhook, addressed to this job's URL, proves which fal request belongs to it.
pub async fn adopt_request(db: &Db, id: &str, request_id: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET {}, fal_request_id = $1, submitted_at = $2, \
         updated_at = $2, lease_until = NULL, version = version + 1 \
         WHERE id = $3 AND {} AND fal_request_id IS NULL AND submit_started_at IS NOT NULL",
        SUBMITTED.set(),
        SUBMITTED.guard()
    ))
    .bind(request_id)
    .bind(now)
    .bind(id))
    .await
}

// ---- final states ----

/// The image fal delivered.
pub struct Image<'a> {
    pub url: &'a str,
    pub width: Option<i64>,
    pub height: Option<i64>,
}

/// processing → completed. `false` when it was not processing (a duplicate).
pub async fn complete(db: &Db, id: &str, image: &Image<'_>) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET {}, image_url = $1, width = $2, height = $3, \
         completed_at = $4, updated_at = $4, lease_until = NULL, version = version + 1 \
         WHERE id = $5 AND {}",
        COMPLETED.set(),
        COMPLETED.guard()
    ))
    .bind(image.url)
    .bind(image.width)
    .bind(image.height)
    .bind(now)
    .bind(id))
    .await
}

/// queued | processing → failed, with its cost refunded in the same transaction, exactly once.
/// `false` (nothing changed) when the job is already final. A job whose owner asked for a cancel
/// ends marked cancelled.
pub async fn fail_with_refund(db: &Db, id: &str, message: &str) -> Result<bool, sqlx::Error> {
    end_with_refund(db, id, message, &FAILED, "", "CASE WHEN cancel_requested_at IS NOT NULL THEN $2 END").await
}

/// queued → failed, cancelled and refunded, for a job never handed to fal. `false` when it has
/// moved on: the guard on `submit_started_at` is the one [`record_intent`] checks, so exactly
/// one of the two wins.
pub async fn cancel_unsubmitted(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    end_with_refund(db, id, "Cancelled before it started.", &CANCELLED, "AND submit_started_at IS NULL", "$2").await
}

async fn end_with_refund(
    db: &Db,
    id: &str,
    message: &str,
    transition: &Transition,
    guard: &str,
    cancelled_at: &str,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    let mut tx = w.begin().await?;
    let failed: Option<(String, i64)> = sqlx::query_as(&format!(
        "UPDATE infographs SET {}, error_message = $1, refunded_at = $2, \
         completed_at = $2, updated_at = $2, lease_until = NULL, version = version + 1, \
         cancelled_at = {cancelled_at} \
         WHERE id = $3 AND {} {guard} RETURNING user_id, cost",
        transition.set(),
        transition.guard()
    ))
    .bind(message)
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, cost)) = failed else {
        tx.rollback().await?;
        return Ok(false);
    };
    ledger::refund(&mut tx, &user_id, cost, id, now).await?;
    tx.commit().await?;
    tracing::info!(infograph = id, cost, "job failed; credits refunded");
    Ok(true)
}

// ---- while processing ----

/// Records (`requested`) or takes back (fal refused it) the owner's cancel request. `false` when
/// there was nothing to change: already asked, not asked, or no longer running.
pub async fn set_cancel_requested(db: &Db, id: &str, requested: bool) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let (set, guard) = if requested {
        ("cancel_requested_at = $1", "cancel_requested_at IS NULL")
    } else {
        ("cancel_requested_at = NULL", "cancel_requested_at IS NOT NULL")
    };
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET {set}, updated_at = $1, version = version + 1 WHERE id = $2 AND {} AND {guard}",
        in_state(Processing)
    ))
    .bind(now)
    .bind(id))
    .await
}

/// Claims the processing jobs no webhook has ended within `after_ms`, by pushing their next poll
/// forward, so reconcilers on other instances do not poll the same job at once.
pub async fn claim_due_polls(db: &Db, after_ms: i64, limit: i64) -> Result<Vec<InfographRow>, sqlx::Error> {
    let now = now_ms();
    let processing = in_state(Processing);
    let w = db.write().await;
    sqlx::query_as(&format!(
        "UPDATE infographs SET next_poll_at = $1 WHERE id IN (SELECT id FROM infographs \
         WHERE {processing} AND submitted_at < $2 AND (next_poll_at IS NULL OR next_poll_at < $3) \
         ORDER BY submitted_at LIMIT $4{}) AND {processing} RETURNING {COLUMNS}",
        db.skip_locked()
    ))
    .bind(now + after_ms.max(1000))
    .bind(now - after_ms)
    .bind(now)
    .bind(limit)
    .fetch_all(w.pool())
    .await
}

/// Claims running jobs whose fal status is due for a progress poll (every `every_ms`): their ids
/// and status URLs. Instances sharing a database split the polling instead of repeating it.
pub async fn claim_progress_polls(db: &Db, every_ms: i64, limit: i64) -> Result<Vec<(String, Option<String>)>, sqlx::Error> {
    let now = now_ms();
    let processing = in_state(Processing);
    let w = db.write().await;
    sqlx::query_as(&format!(
        "UPDATE infographs SET progress_poll_at = $1 WHERE id IN (SELECT id FROM infographs \
         WHERE {processing} AND fal_status_url IS NOT NULL \
         AND (progress_poll_at IS NULL OR progress_poll_at <= $2) \
         ORDER BY COALESCE(progress_poll_at, 0) LIMIT $3{}) AND {processing} \
         RETURNING id, fal_status_url",
        db.skip_locked()
    ))
    .bind(now + every_ms)
    .bind(now)
    .bind(limit)
    .fetch_all(w.pool())
    .await
}

/// Stores what fal said about a running job when it differs from what we had (a version bump
/// only for a visible change; never back from `IN_PROGRESS` to `IN_QUEUE`). `COMPLETED` is left
/// to the webhook and the reconciler, which fetch the result. Returns whether the row changed.
pub async fn record_fal_status(db: &Db, id: &str, fal_status: &str, position: Option<i64>) -> Result<bool, sqlx::Error> {
    if !matches!(fal_status, "IN_QUEUE" | "IN_PROGRESS") {
        return Ok(false);
    }
    let w = db.write().await;
    changed_one(&w, sqlx::query(&format!(
        "UPDATE infographs SET fal_phase = $1, queue_position = $2, updated_at = $3, progress_version = progress_version + 1 \
         WHERE id = $4 AND {} \
         AND NOT (COALESCE(fal_phase, '') = $1 AND COALESCE(queue_position, -1) = $5) \
         AND NOT (COALESCE(fal_phase, '') = 'IN_PROGRESS' AND $1 = 'IN_QUEUE')",
        in_state(Processing)
    ))
    .bind(fal_status)
    .bind(position)
    .bind(now_ms())
    .bind(id)
    .bind(position.unwrap_or(-1)))
    .await
}

// ---- after completion: our stored copy ----

/// A completed job whose image is to be copied, claimed until `storage_next_at`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CopyJob {
    pub id: String,
    pub image_url: String,
    pub storage_attempts: i64,
    pub storage_next_at: i64,
}

/// Claims the oldest completed job whose image is not yet in our storage, with a lease of
/// `lease_ms` that doubles as its retry time.
pub async fn claim_copy(db: &Db, max_attempts: u32, lease_ms: i64) -> Result<Option<CopyJob>, sqlx::Error> {
    let now = now_ms();
    let completed = in_state(Completed);
    let w = db.write().await;
    sqlx::query_as::<_, CopyJob>(&format!(
        "UPDATE infographs SET storage_next_at = $1, storage_attempts = storage_attempts + 1 \
         WHERE id = (SELECT id FROM infographs WHERE {completed} AND stored_at IS NULL \
                     AND image_url IS NOT NULL AND storage_attempts < $3 \
                     AND (storage_next_at IS NULL OR storage_next_at < $2) ORDER BY completed_at LIMIT 1{}) \
           AND {completed} AND stored_at IS NULL AND (storage_next_at IS NULL OR storage_next_at < $2) \
         RETURNING id, image_url, storage_attempts, storage_next_at",
        db.skip_locked()
    ))
    .bind(now + lease_ms)
    .bind(now)
    .bind(i64::from(max_attempts))
    .fetch_optional(w.pool())
    .await
}

/// Where a copy was stored.
pub struct Stored {
    pub image_url: String,
    pub thumbnail_url: String,
    pub image_key: String,
    pub thumb_key: String,
    pub width: i64,
    pub height: i64,
}

/// Points the job at our copy, keeping fal's URL as the source; guarded by our lease and by the
/// URL we copied, so a stale copier can never overwrite a newer result.
pub async fn record_stored(db: &Db, job: &CopyJob, s: &Stored) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    changed_one(&w, sqlx::query(
        "UPDATE infographs SET source_image_url = image_url, image_url = $1, thumbnail_url = $2, \
         stored_image_key = $3, stored_thumb_key = $4, width = $5, height = $6, stored_at = $7, \
         updated_at = $7, storage_next_at = NULL, storage_error = NULL, version = version + 1 \
         WHERE id = $8 AND stored_at IS NULL AND storage_next_at = $9 AND image_url = $10",
    )
    .bind(&s.image_url)
    .bind(&s.thumbnail_url)
    .bind(&s.image_key)
    .bind(&s.thumb_key)
    .bind(s.width)
    .bind(s.height)
    .bind(now)
    .bind(&job.id)
    .bind(job.storage_next_at)
    .bind(&job.image_url))
    .await
}

/// A failed copy: retried after `delay`, or (`exhausted`) given up for good, keeping fal's URL.
pub async fn record_copy_failure(db: &Db, job: &CopyJob, reason: &str, delay_ms: i64, exhausted: bool) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    sqlx::query(
        "UPDATE infographs SET storage_next_at = $1, storage_error = $2, \
         storage_gave_up_at = CASE WHEN $3 = 1 THEN $5 ELSE storage_gave_up_at END, \
         progress_version = progress_version + $3 \
         WHERE id = $4 AND stored_at IS NULL AND storage_next_at = $6",
    )
    .bind(now + delay_ms)
    .bind(reason)
    .bind(i64::from(exhausted))
    .bind(&job.id)
    .bind(now)
    .bind(job.storage_next_at)
    .execute(w.pool())
    .await?;
    Ok(())
}

// ---- deletion ----

/// Sets (or with `None`, clears) the owner's alt text. `false` when it is not theirs.
pub async fn set_alt_text(db: &Db, user_id: &str, id: &str, text: Option<&str>) -> Result<bool, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(false);
    }
    let w = db.write().await;
    changed_one(&w, sqlx::query(
        "UPDATE infographs SET alt_text = $1, updated_at = $2, version = version + 1 \
         WHERE id = $3 AND user_id = $4 AND deleted_at IS NULL",
    )
    .bind(text)
    .bind(now_ms())
    .bind(id)
    .bind(user_id))
    .await
}

/// Names every version of the family `id` belongs to. `false` when it is not the owner's.
pub async fn set_family_title(db: &Db, user_id: &str, id: &str, title: &str) -> Result<bool, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(false);
    }
    let w = db.write().await;
    let renamed = sqlx::query(
        "UPDATE infographs SET title = $1, updated_at = $2, version = version + 1 \
         WHERE user_id = $4 AND deleted_at IS NULL AND COALESCE(family_id, id) = \
               (SELECT COALESCE(family_id, id) FROM infographs WHERE id = $3 AND user_id = $4 AND deleted_at IS NULL)",
    )
    .bind(title)
    .bind(now_ms())
    .bind(id)
    .bind(user_id)
    .execute(w.pool())
    .await?;
    Ok(renamed.rows_affected() > 0)
}

/// Hides an infograph from its owner. `false` when it is not theirs or already hidden.
pub async fn hide(db: &Db, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(false);
    }
    let now = now_ms();
    let w = db.write().await;
    changed_one(&w, sqlx::query(
        "UPDATE infographs SET deleted_at = $1, updated_at = $1, version = version + 1 \
         WHERE id = $2 AND user_id = $3 AND deleted_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(user_id))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transition_is_one_the_state_machine_allows() {
        for t in ALL {
            assert!(!t.from.is_empty());
            for from in t.from {
                assert!(from.can_become(t.to), "{from} -> {}", t.to);
            }
        }
    }

    #[test]
    fn transitions_render_as_guarded_sql() {
        assert_eq!(FAILED.guard(), "status IN ('queued','processing')");
        assert_eq!(COMPLETED.set(), "status = 'completed'");
    }

    #[test]
    fn nothing_leaves_a_final_state() {
        for t in ALL {
            assert!(t.from.iter().all(|s| !s.is_final()));
        }
    }
}

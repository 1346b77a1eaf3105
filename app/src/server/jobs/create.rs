//! Creating infographs: validate, charge and queue one job per image in one transaction, and
//! answer before anything slow happens. Regenerating is a create with an existing job's settings;
//! refining makes new versions of a completed one from an instruction.

use super::repo::{self, FixKind, InfographRow, JobDesign, NewJob};
use crate::errors::AppError;
use crate::model::infograph::VersionKind;
use crate::model::{AspectRatio, CreateCommand, CreateRequest, CreateResponse, CreatedJob, JobStatus, RefineRequest, Resolution};
use crate::server::accounts::users::UserRow;
use crate::server::billing::ledger;
use crate::server::platform::rate_limit;
use crate::server::blog::fetch;
use crate::server::idempotency::{self, IdempotencyKey, NextAction, Saved};
use crate::server::platform::db::{new_id, now_ms};
use crate::server::models::ModelSpec;
use crate::server::platform::state::AppState;

/// What a create answered: new jobs, or (`replayed`) the first answer to a repeated
/// `Idempotency-Key`, which charged nothing this time.
#[derive(Debug, Clone)]
pub struct Created {
    pub response: CreateResponse,
    pub status_code: u16,
    pub replayed: bool,
}

/// Who is charged, and whether it counts against the owner's create limit.
struct Charge<'a> {
    /// Written on the debit's ledger row: the owner, or the admin who retried a job for them.
    actor: &'a str,
    rate_limited: bool,
}

pub fn status_url(state: &AppState, id: &str) -> String {
    format!("{}/api/infographs/status/{id}/", state.public_base_url)
}

/// The request an `Idempotency-Key` is bound to, spelt one way however it arrived.
fn canonical(cmd: &CreateCommand) -> serde_json::Value {
    serde_json::json!([
        cmd.prompt,
        cmd.blog_url.as_ref().map(|u| u.as_str()),
        cmd.aspect_ratio.as_fal(),
        cmd.resolution.as_str(),
        cmd.count,
        cmd.design,
        cmd.model,
    ])
}

/// The design columns that are JSON: the brand kit as it is now (or as a regenerated infograph
/// kept it) and the reviewed outline.
struct DesignJson {
    brand_kit_id: Option<String>,
    brand: Option<String>,
    outline: Option<String>,
}

/// The model a create names, if it can draw what the command asks: else a `400` naming `model`.
fn model_for<'s>(state: &'s AppState, cmd: &CreateCommand, design: &DesignJson) -> Result<&'s ModelSpec, AppError> {
    let model = state.models.named(cmd.model.as_deref())?;
    match model.refusal(cmd.aspect_ratio, cmd.resolution, cmd.count, design.has_logo()) {
        Some(why) => Err(AppError::invalid_field("model", why)),
        None => Ok(model),
    }
}

impl DesignJson {
    /// Whether its brand kit places a logo (the model must be able to).
    fn has_logo(&self) -> bool {
        self.brand
            .as_deref()
            .and_then(|b| serde_json::from_str::<crate::model::design::BrandSnapshot>(b).ok())
            .is_some_and(|b| b.logo_key.is_some())
    }

    /// For a new create: the owner's kit, looked up now (someone else's is a 404, before any
    /// charge).
    async fn of(state: &AppState, owner: &UserRow, cmd: &CreateCommand) -> Result<Self, AppError> {
        let brand = match &cmd.design.brand_kit_id {
            Some(id) => Some(crate::server::brand::snapshot(state, owner, id).await?),
            None => None,
        };
        Ok(Self {
            brand_kit_id: cmd.design.brand_kit_id.clone(),
            brand: brand.map(|b| serde_json::to_string(&b)).transpose().map_err(|_| AppError::Internal)?,
            outline: cmd.design.outline.as_ref().map(serde_json::to_string).transpose().map_err(|_| AppError::Internal)?,
        })
    }

    fn columns<'a>(&'a self, cmd: &'a CreateCommand) -> JobDesign<'a> {
        JobDesign {
            layout: cmd.design.layout.as_str(),
            style: cmd.design.style.map(|s| s.as_str()),
            language: &cmd.design.language,
            brand_kit_id: self.brand_kit_id.as_deref(),
            brand: self.brand.as_deref(),
            outline: self.outline.as_deref(),
        }
    }
}

fn key_for(key: Option<&str>, cmd: &CreateCommand) -> Result<Option<IdempotencyKey>, AppError> {
    key.map(|key| IdempotencyKey::new(key, &canonical(cmd))).transpose()
}

fn create_response(state: &AppState, cost: i64, rows: &[InfographRow]) -> CreateResponse {
    let infographs: Vec<CreatedJob> = rows
        .iter()
        .map(|row| CreatedJob {
            id: row.id.clone(),
            request_id: row.fal_request_id.clone(),
            status: row.status(),
            status_url: status_url(state, &row.id),
        })
        .collect();
    CreateResponse { total_submitted: infographs.len(), credits_used: cost, infographs }
}

/// What is being bought: `count` jobs like `job` (whose batch id is filled in when charged).
struct Order<'a> {
    job: NewJob<'a>,
    count: u32,
    /// Checked before charging: a literal private address is refused at once.
    blog_url: Option<&'a url::Url>,
    /// Why the blog's host cannot be read (asked of DNS before the charge's transaction, so no
    /// look-up holds the writer), refused after a replay could answer instead.
    unreadable_host: Option<String>,
}

impl Order<'_> {
    /// What is charged: nothing for the family's free fix.
    fn cost(&self) -> i64 {
        match self.job.proofread_fix {
            FixKind::Free => 0,
            _ => self.job.cost * i64::from(self.count),
        }
    }
}

/// `title`: the name a regenerated picture keeps; a new one is named by its outline (or later,
/// by the article the worker reads).
fn order_for<'a>(owner: &'a UserRow, cmd: &'a CreateCommand, design: &'a DesignJson, model: &'a ModelSpec, regenerated_from: Option<&'a str>, title: Option<&'a str>) -> Order<'a> {
    Order {
        job: NewJob {
            design: design.columns(cmd),
            user_id: &owner.id,
            batch_id: "",
            prompt: &cmd.prompt,
            blog_url: cmd.blog_url.as_ref().map(|u| u.as_str()),
            aspect_ratio: cmd.aspect_ratio.as_fal(),
            resolution: cmd.resolution.as_str(),
            cost: model.credits_for(cmd.resolution).unwrap_or_else(|| cmd.resolution.credits_per_image()),
            regenerated_from,
            parent_id: None,
            family_id: None,
            instruction: None,
            title: title.or(cmd.design.outline.as_ref().map(|o| o.title.as_str())),
            alt_text: None,
            proofread_fix: FixKind::NotAFix,
            kind: VersionKind::Generated,
            model: &model.id,
        },
        count: cmd.count,
        blog_url: cmd.blog_url.as_ref(),
        unreadable_host: None,
    }
}

/// The sentence shown beside the blog URL when its post cannot be read.
fn unreadable(url: &url::Url, e: &fetch::FetchError) -> String {
    match e {
        fetch::FetchError::Resolve => format!(
            "We could not find the site {}. Check the address, or paste the post's text instead.",
            url.host_str().unwrap_or_default()
        ),
        other => format!("This blog post cannot be read: {other}. Paste the post's text instead."),
    }
}

/// DNS look-ups of blog hosts one user may cause a minute: each is work done before any charge,
/// on a name the caller chose, so it is limited on its own (a refused create gives back its
/// create-limit hit, not this one).
const HOST_LOOKUPS_PER_MINUTE: u32 = 30;

/// Asks DNS about the blog's host when the job will read it (an outline replaces the reading).
async fn host_problem(state: &AppState, owner: &UserRow, cmd: &CreateCommand) -> Result<Option<String>, AppError> {
    let Some(url) = cmd.blog_url.as_ref().filter(|_| cmd.design.outline.is_none()) else { return Ok(None) };
    if matches!(url.host(), Some(url::Host::Domain(_))) {
        rate_limit::hit(&state.db, &format!("host-lookup:{}", owner.id), HOST_LOOKUPS_PER_MINUTE).await?;
    }
    Ok(fetch::check_host(url, &state.config.fetch_policy()).await.err().map(|e| unreadable(url, &e)))
}

/// Validates, charges and queues; answers before anything slow happens.
pub async fn create(state: &AppState, user: &UserRow, raw: &CreateRequest, idempotency_key: Option<&str>) -> Result<Created, AppError> {
    let cmd = raw.validate().map_err(AppError::invalid)?;
    let key = key_for(idempotency_key, &cmd)?;
    let design = DesignJson::of(state, user, &cmd).await?;
    let model = model_for(state, &cmd, &design)?;
    let charge = Charge { actor: &user.id, rate_limited: true };
    let order = Order { unreadable_host: host_problem(state, user, &cmd).await?, ..order_for(user, &cmd, &design, model, None, None) };
    charge_and_queue(state, user, &order, &charge, key.as_ref()).await
}

/// A refinement of the owner's completed infograph `id`: `count` new versions in its family,
/// made by fal's edit endpoint from its image and `instruction`, charged like a create at the
/// source's resolution.
pub async fn refine(
    state: &AppState,
    owner: &UserRow,
    id: &str,
    raw: &RefineRequest,
    idempotency_key: Option<&str>,
) -> Result<Created, AppError> {
    let cmd = raw.validate().map_err(AppError::invalid)?;
    let source = refinable(state, owner, id).await?;
    let model = refining_model(state, &source, cmd.model.as_deref(), cmd.count)?;
    let key = idempotency_key
        .map(|key| IdempotencyKey::new(key, &serde_json::json!(["refine", source.id, cmd.instruction, cmd.count, model.id])))
        .transpose()?;
    let names = Names::of(&source);
    let order = refinement_order(owner, &source, &names, &cmd.instruction, cmd.count, RefineKind::Asked, model)?;
    charge_and_queue(state, owner, &order, &Charge { actor: &owner.id, rate_limited: true }, key.as_ref()).await
}

/// The model a refinement of `source` is drawn with: the one asked for, else the picture's own.
/// One that cannot refine it (no edit endpoint, or not its size, ratio or count) is a `400`
/// naming `model` that says which models can, at what price.
fn refining_model<'s>(state: &'s AppState, source: &InfographRow, asked: Option<&str>, count: u32) -> Result<&'s ModelSpec, AppError> {
    let model = match asked {
        Some(id) => state.models.named(Some(id))?,
        None => state.models.of_job(source.model.as_deref()),
    };
    let (aspect, resolution) = size_of(source)?;
    let Some(why) = refine_refusal(model, aspect, resolution, count) else { return Ok(model) };
    let able: Vec<String> = state
        .models
        .list()
        .models
        .iter()
        .filter_map(|m| state.models.get(&m.id))
        .filter(|m| refine_refusal(m, aspect, resolution, count).is_none())
        .map(|m| format!("{} ({})", m.id, m.credits_for(resolution).unwrap_or_default()))
        .collect();
    Err(AppError::invalid_field("model", format!("{why} Refine it with another model: {} (credits per version).", able.join(", "))))
}

/// Why `model` cannot make `count` refinements of a picture of this size and ratio
/// (`ModelInfo::refine_refusal`, which the viewer shows too).
fn refine_refusal(model: &ModelSpec, aspect: AspectRatio, resolution: Resolution, count: u32) -> Option<String> {
    model.info().refine_refusal(aspect.as_fal(), resolution.as_str(), count)
}

/// A stored picture's ratio and size (validated when it was created).
fn size_of(source: &InfographRow) -> Result<(AspectRatio, Resolution), AppError> {
    let aspect = source.aspect_ratio.parse().map_err(|_| AppError::Internal)?;
    let resolution = source.resolution.parse().map_err(|_| AppError::Internal)?;
    Ok((aspect, resolution))
}

/// A fix keeps the picture's model where it can refine it, else the default's or the final's.
fn fixing_model<'s>(state: &'s AppState, source: &InfographRow) -> Result<&'s ModelSpec, AppError> {
    let (aspect, resolution) = size_of(source)?;
    [state.models.of_job(source.model.as_deref()), state.models.default_model(), state.models.final_model()]
        .into_iter()
        .find(|m| refine_refusal(m, aspect, resolution, 1).is_none())
        .ok_or_else(|| AppError::Conflict("no model of the catalogue can refine a picture of this size and ratio".into()))
}

/// How a refinement came to be, which decides its price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefineKind {
    /// The owner's own instruction: charged like a create.
    Asked,
    /// "Fix these words" (`server::proofread`): free when `free` (the family's first fix).
    Fix { free: bool },
    /// "Make the text editable" (`server::layers`): fal's layerize-text, at `cost` credits.
    Layers { cost: i64 },
}

/// The instruction a layered version shows (it is not sent to any model).
pub const LAYERS_INSTRUCTION: &str = "Make the text editable";

/// "Make the text editable": one new version of `source` made by fal's layerize-text, charged
/// `cost` credits and refunded if it fails.
pub async fn layers(state: &AppState, owner: &UserRow, source: &InfographRow, cost: i64, idempotency_key: Option<&str>) -> Result<Created, AppError> {
    let key = idempotency_key.map(|key| IdempotencyKey::new(key, &serde_json::json!(["layers", source.id]))).transpose()?;
    let names = Names::of(source);
    let order = refinement_order(owner, source, &names, LAYERS_INSTRUCTION, 1, RefineKind::Layers { cost }, state.models.of_job(source.model.as_deref()))?;
    charge_and_queue(state, owner, &order, &Charge { actor: &owner.id, rate_limited: true }, key.as_ref()).await
}

/// The owner's completed infograph `id`, the only kind that can be refined.
pub async fn refinable(state: &AppState, owner: &UserRow, id: &str) -> Result<InfographRow, AppError> {
    let source = repo::owned(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)?;
    if source.status() != JobStatus::Completed {
        return Err(AppError::Conflict(format!("only a completed infograph can be refined; this one is {}", source.status())));
    }
    Ok(source)
}

/// A proofread's fix of `source`: one new version made from the corrections in `instruction`,
/// through the refine path. A free fix that loses a race with another (the family's one free
/// fix is a unique index) is a `409`.
pub async fn fix(state: &AppState, owner: &UserRow, source: &InfographRow, instruction: &str, free: bool, idempotency_key: Option<&str>) -> Result<Created, AppError> {
    let key = idempotency_key.map(|key| IdempotencyKey::new(key, &serde_json::json!(["fix", source.id]))).transpose()?;
    let names = Names::of(source);
    let order = refinement_order(owner, source, &names, instruction, 1, RefineKind::Fix { free }, fixing_model(state, source)?)?;
    charge_and_queue(state, owner, &order, &Charge { actor: &owner.id, rate_limited: !free }, key.as_ref()).await
}

/// A new version keeps its family's name and the words that describe it.
struct Names {
    title: String,
    alt_text: String,
}

impl Names {
    fn of(source: &InfographRow) -> Self {
        let view = source.view();
        Self { title: view.title, alt_text: view.alt_text }
    }
}

/// The one insert that can meet a unique index: a second free fix of a family (two asked at
/// once), which is the request's conflict, not a server error.
fn insert_error(err: sqlx::Error) -> AppError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => AppError::Conflict("this picture's free fix has already been asked for".into()),
        _ => err.into(),
    }
}

/// The order for `count` versions of `source` changed by `instruction`.
fn refinement_order<'a>(
    owner: &'a UserRow,
    source: &'a InfographRow,
    names: &'a Names,
    instruction: &'a str,
    count: u32,
    kind: RefineKind,
    model: &'a ModelSpec,
) -> Result<Order<'a>, AppError> {
    let resolution: Resolution = source.resolution.parse().map_err(|_| AppError::Internal)?;
    let fix = match kind {
        RefineKind::Asked | RefineKind::Layers { .. } => FixKind::NotAFix,
        RefineKind::Fix { free: false } => FixKind::Paid,
        RefineKind::Fix { free: true } => FixKind::Free,
    };
    let (cost, version_kind) = match kind {
        RefineKind::Layers { cost } => (cost, VersionKind::Layers),
        // The model was chosen for offering this size (`refining_model`, `fixing_model`).
        _ => (model.credits_for(resolution).ok_or(AppError::Internal)?, VersionKind::Refined),
    };
    Ok(Order {
        job: NewJob {
            user_id: &owner.id,
            batch_id: "",
            prompt: &source.user_prompt,
            blog_url: None,
            aspect_ratio: &source.aspect_ratio,
            resolution: resolution.as_str(),
            cost,
            regenerated_from: None,
            // Shown with the version; its brief is the refinement's, from the source image.
            design: JobDesign {
                layout: source.layout.as_deref().unwrap_or("auto"),
                style: source.style.as_deref(),
                language: source.language.as_deref().unwrap_or(crate::model::design::DEFAULT_LANGUAGE),
                brand_kit_id: source.brand_kit_id.as_deref(),
                brand: None,
                outline: None,
            },
            parent_id: Some(&source.id),
            family_id: Some(source.family_id.as_deref().unwrap_or(&source.id)),
            instruction: Some(instruction),
            title: Some(&names.title),
            alt_text: Some(&names.alt_text),
            proofread_fix: fix,
            kind: version_kind,
            model: &model.id,
        },
        count,
        blog_url: None,
        unreadable_host: None,
    })
}

/// Charges the owner and writes one `queued` row per image, all or nothing. With a key, a
/// stored first answer is replayed before anything else (the limit, the blog check) could turn
/// the retry into a different answer.
async fn charge_and_queue(
    state: &AppState,
    owner: &UserRow,
    order: &Order<'_>,
    charge: &Charge<'_>,
    key: Option<&IdempotencyKey>,
) -> Result<Created, AppError> {
    let writer = state.db.write().await;
    let mut tx = match key {
        None => writer.begin().await?,
        Some(key) => match idempotency::try_start::<CreateResponse>(&writer, &owner.id, key).await? {
            NextAction::Start(tx) => tx,
            NextAction::Replay(saved) => {
                return Ok(Created { response: saved.response, status_code: saved.status_code, replayed: true })
            }
        },
    };
    // Counted in the transaction: a refused create does not use up the limit.
    if charge.rate_limited {
        rate_limit::hit_in(&mut tx, &format!("create:{}", owner.id), state.config.create_per_minute).await?;
    }
    if let Some(url) = order.blog_url {
        fetch::check_literal(url, &state.config.fetch_policy()).map_err(|e| AppError::invalid_field("blog_url", unreadable(url, &e)))?;
    }
    if let Some(problem) = &order.unreadable_host {
        return Err(AppError::invalid_field("blog_url", problem.clone()));
    }
    let (cost, now, batch_id) = (order.cost(), now_ms(), new_id());
    if cost > 0 && !ledger::debit(&mut tx, &owner.id, cost, &batch_id, charge.actor, now).await? {
        tx.rollback().await?;
        let balance = ledger::balance(&state.db, &owner.id).await?.ok_or(AppError::Unauthorized)?;
        return Err(AppError::NotEnoughCredits { required: cost, balance });
    }
    let job = NewJob { batch_id: &batch_id, ..order.job };
    let mut rows = Vec::with_capacity(order.count as usize);
    for _ in 0..order.count {
        rows.push(repo::insert_queued(&mut tx, &job, now).await.map_err(insert_error)?);
    }
    let created = Created { response: create_response(state, cost, &rows), status_code: 201, replayed: false };
    if let Some(key) = key {
        let saved = Saved { status_code: created.status_code, response: &created.response };
        idempotency::save_response(&mut tx, &owner.id, key, &saved).await?;
    }
    tx.commit().await?;
    drop(writer);
    state.worker.wake();
    Ok(created)
}

/// The settings an infograph was made with, as a create request for one more image. Its brand
/// kit is not looked up again: the regenerated image keeps the look the kit had (`brand`).
fn same_settings(row: &InfographRow, model: &ModelSpec) -> CreateRequest {
    CreateRequest {
        prompt: Some(row.user_prompt.clone()),
        blog_url: row.blog_url.clone(),
        aspect_ratio: Some(row.aspect_ratio.clone()),
        resolution: Some(row.resolution.clone()),
        number_of_infographs: Some("1".into()),
        layout: row.layout.clone(),
        style: row.style.clone(),
        language: row.language.clone(),
        brand_kit_id: None,
        outline: row.outline.clone(),
        model: Some(model.id.clone()),
    }
}

/// A new infograph with the same settings as `id`, drawn by its own model or by `model`,
/// charged to its owner like any create.
pub async fn regenerate(state: &AppState, owner: &UserRow, id: &str, model: Option<&str>) -> Result<Created, AppError> {
    let model = crate::model::models::parse_model(model).map_err(|e| AppError::invalid_field("model", e.0))?;
    let row = repo::owned(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)?;
    let model = match model.as_deref() {
        Some(id) => state.models.named(Some(id))?,
        None => state.models.of_job(row.model.as_deref()),
    };
    redraw(state, owner, &row, &owner.id, None, model).await
}

/// "Make this the final": the draft `id` drawn again by the catalogue's final model, with the
/// same settings, brief and design, charged at that model's price. A picture already drawn by
/// the final model is a `409`.
pub async fn finalize(state: &AppState, owner: &UserRow, id: &str, idempotency_key: Option<&str>) -> Result<Created, AppError> {
    let row = repo::owned(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)?;
    let final_model = state.models.final_model();
    if state.models.of_job(row.model.as_deref()).id == final_model.id {
        return Err(AppError::Conflict(format!("this picture is already drawn with {}, the final model", final_model.name)));
    }
    redraw(state, owner, &row, &owner.id, idempotency_key, final_model).await
}

/// [`regenerate`] on behalf of `actor` (the owner, or an admin retrying a failed job; an
/// admin's retry does not count against the owner's create rate limit).
/// `once_key`: an idempotency key making repeats of this regeneration (a double click, two
/// admins) answer the first one instead of charging again.
pub async fn regenerate_as(
    state: &AppState,
    owner: &UserRow,
    row: &InfographRow,
    actor: &str,
    once_key: Option<&str>,
) -> Result<Created, AppError> {
    redraw(state, owner, row, actor, once_key, state.models.of_job(row.model.as_deref())).await
}

/// `row`'s settings drawn again by `model`.
async fn redraw(state: &AppState, owner: &UserRow, row: &InfographRow, actor: &str, once_key: Option<&str>, model: &ModelSpec) -> Result<Created, AppError> {
    let cmd = same_settings(row, model).validate().map_err(AppError::invalid)?;
    let key = key_for(once_key, &cmd)?;
    let design = DesignJson { brand_kit_id: row.brand_kit_id.clone(), brand: row.brand.clone(), outline: row.outline.clone() };
    let model = model_for(state, &cmd, &design)?;
    let charge = Charge { actor, rate_limited: actor == owner.id };
    let title = row.name();
    charge_and_queue(state, owner, &order_for(owner, &cmd, &design, model, Some(&row.id), Some(&title)), &charge, key.as_ref()).await
}

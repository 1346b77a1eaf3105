//! The admin dashboard's queries and actions. Callers must have checked [`require_admin`]; every
//! action is authorized here again on the server, never by what the page shows.

pub mod model_stats;

use crate::errors::AppError;
use crate::server::accounts::users::{self, UserRow};
use crate::server::billing::ledger;
use crate::server::jobs::{create, manage, repo};
use crate::server::platform::db::{now_ms, Db};
use crate::server::platform::state::AppState;
use crate::model::admin::{
    parse_day, percentile, AdminJob, AdminJobsPage, AdminStats, AdminUser, AdminUsersPage, JobFilter,
    LedgerEntry, StatusCount, ADMIN_PAGE_SIZE,
};
use crate::model::{FieldErrors, InfographView, JobStatus};

const DAY_MS: i64 = 86_400_000;

/// Admins pass; anyone else is told the page does not exist (no hint that it does).
pub fn require_admin(user: &UserRow) -> Result<(), AppError> {
    if user.admin() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn overview(db: &Db) -> Result<AdminStats, AppError> {
    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM infographs GROUP BY status ORDER BY status")
            .fetch_all(db.read())
            .await?;
    let since = now_ms() - DAY_MS;
    let (finished, failed): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM infographs WHERE status IN ('completed', 'failed') AND completed_at >= $1",
    )
    .bind(since)
    .fetch_one(db.read())
    .await?;
    // Percentiles in Rust: portable across SQLite and PostgreSQL, and a day's jobs fit in memory.
    let mut durations: Vec<i64> = sqlx::query_scalar(
        "SELECT completed_at - submitted_at FROM infographs WHERE status = 'completed' \
         AND completed_at >= $1 AND submitted_at IS NOT NULL ORDER BY completed_at DESC LIMIT 100000",
    )
    .bind(since)
    .fetch_all(db.read())
    .await?;
    durations.sort_unstable();
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(db.read()).await?;
    Ok(AdminStats {
        counts: counts.into_iter().map(|(status, count)| StatusCount { status, count }).collect(),
        finished_24h: finished,
        failed_24h: failed,
        failure_rate_24h: (finished > 0).then(|| failed as f64 / finished as f64),
        p50_ms_24h: percentile(&durations, 50.0),
        p95_ms_24h: percentile(&durations, 95.0),
        users,
    })
}

/// A filter checked and turned into SQL bind values: empty strings and zeros mean "any".
struct JobQuery {
    status: String,
    user: String,
    from: i64,
    to: i64,
    like: String,
    id: String,
    page: i64,
}

fn like_pattern(text: &str) -> String {
    // `\` escapes LIKE's wildcards so a search for "50%" means the characters.
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{}%", escaped.to_lowercase())
}

fn job_query(filter: &JobFilter) -> Result<JobQuery, AppError> {
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_string();
    let mut errors = FieldErrors::new();
    let status = text(&filter.status);
    if !status.is_empty() && status.parse::<JobStatus>().is_err() {
        errors.insert("status".into(), "must be queued, processing, completed or failed".into());
    }
    for (field, value) in [("user", &filter.user), ("q", &filter.q)] {
        if value.as_deref().is_some_and(|v| v.chars().any(char::is_control)) {
            errors.insert(field.into(), "must not contain control characters".into());
        }
    }
    let mut day = |field: &str, value: &Option<String>| match text(value).as_str() {
        "" => 0,
        raw => parse_day(field, raw).map_err(|(k, v)| errors.insert(k, v)).unwrap_or(0),
    };
    let from = day("from", &filter.from);
    let to = day("to", &filter.to);
    let page = filter.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        errors.insert("page".into(), "must be a page number from 1".into());
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let user = text(&filter.user);
    let q = text(&filter.q);
    Ok(JobQuery {
        status,
        user: if user.is_empty() { String::new() } else { like_pattern(&user) },
        from,
        to: if to > 0 { to + DAY_MS } else { 0 },
        like: if q.is_empty() { String::new() } else { like_pattern(&q) },
        id: q,
        page,
    })
}

const JOB_WHERE: &str = "($1 = '' OR i.status = $1) AND ($2 = '' OR LOWER(u.email) LIKE $2 ESCAPE '\\') \
    AND ($3 = 0 OR i.created_at >= $3) AND ($4 = 0 OR i.created_at < $4) \
    AND ($5 = '' OR LOWER(i.user_prompt) LIKE $5 ESCAPE '\\' OR i.id = $6)";

/// Binds a query's [`JOB_WHERE`] parameters ($1 to $6) from the filter.
fn filtered<'q, T>(
    query: sqlx::query::QueryAs<'q, sqlx::Any, T, sqlx::any::AnyArguments<'q>>,
    q: &'q JobQuery,
) -> sqlx::query::QueryAs<'q, sqlx::Any, T, sqlx::any::AnyArguments<'q>> {
    query.bind(&q.status).bind(&q.user).bind(q.from).bind(q.to).bind(&q.like).bind(&q.id)
}

type JobRow = (String, String, String, String, String, String, i64, Option<String>, Option<i64>, Option<i64>, Option<i64>, i64, Option<i64>, Option<String>, Option<i64>, Option<i64>);

pub async fn jobs(db: &Db, filter: &JobFilter) -> Result<AdminJobsPage, AppError> {
    let q = job_query(filter)?;
    let (total,): (i64,) = filtered(
        sqlx::query_as(&format!("SELECT COUNT(*) FROM infographs i JOIN users u ON u.id = i.user_id WHERE {JOB_WHERE}")),
        &q,
    )
    .fetch_one(db.read())
    .await?;
    let rows: Vec<JobRow> = filtered(sqlx::query_as(&format!(
        "SELECT i.id, i.user_id, u.email, i.status, i.user_prompt, i.resolution, i.cost, i.error_message, \
         i.refunded_at, i.cancelled_at, i.deleted_at, i.created_at, \
         CASE WHEN i.completed_at IS NOT NULL AND i.submitted_at IS NOT NULL THEN i.completed_at - i.submitted_at END, \
         i.fal_cancel_url, i.submit_started_at, i.cancel_requested_at \
         FROM infographs i JOIN users u ON u.id = i.user_id WHERE {JOB_WHERE} \
         ORDER BY i.created_at DESC, i.id DESC LIMIT $7 OFFSET $8"
    )), &q)
    .bind(ADMIN_PAGE_SIZE)
    .bind((q.page - 1) * ADMIN_PAGE_SIZE)
    .fetch_all(db.read())
    .await?;
    let jobs = rows.into_iter().map(admin_job).collect();
    Ok(AdminJobsPage { jobs, total, page: q.page, page_size: ADMIN_PAGE_SIZE })
}

fn admin_job(r: JobRow) -> AdminJob {
    let (id, user_id, user_email, status, prompt, resolution, cost, error, refunded_at, cancelled_at, deleted_at, created_at, duration_ms, cancel_url, submit_started_at, cancel_requested_at) = r;
    let cancellable = match status.as_str() {
        "queued" => submit_started_at.is_none(),
        "processing" => cancel_url.is_some() && cancel_requested_at.is_none(),
        _ => false,
    };
    AdminJob {
        id,
        user_id,
        user_email,
        status,
        prompt,
        resolution,
        cost,
        error,
        refunded: refunded_at.is_some(),
        cancelled: cancelled_at.is_some(),
        cancellable,
        deleted: deleted_at.is_some(),
        created_at,
        duration_ms,
    }
}

pub async fn users(db: &Db, search: &str, page: i64) -> Result<AdminUsersPage, AppError> {
    if !(1..=100_000).contains(&page) {
        return Err(AppError::invalid_field("page", "must be a page number from 1"));
    }
    let search = search.trim();
    if search.chars().any(char::is_control) {
        return Err(AppError::invalid_field("search", "must not contain control characters"));
    }
    let pattern = if search.is_empty() { String::new() } else { like_pattern(search) };
    let filter = "($1 = '' OR LOWER(u.email) LIKE $1 ESCAPE '\\')";
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM users u WHERE {filter}"))
        .bind(&pattern)
        .fetch_one(db.read())
        .await?;
    let rows: Vec<(String, String, i64, i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT u.id, u.email, u.is_admin, u.credit_balance, u.created_at, \
         (SELECT COUNT(*) FROM infographs i WHERE i.user_id = u.id) \
         FROM users u WHERE {filter} ORDER BY u.created_at DESC, u.id LIMIT $2 OFFSET $3"
    ))
    .bind(&pattern)
    .bind(ADMIN_PAGE_SIZE)
    .bind((page - 1) * ADMIN_PAGE_SIZE)
    .fetch_all(db.read())
    .await?;
    let users = rows
        .into_iter()
        .map(|(id, email, is_admin, credit_balance, created_at, jobs)| AdminUser {
            id,
            email,
            is_admin: is_admin != 0,
            credit_balance,
            created_at,
            jobs,
        })
        .collect();
    Ok(AdminUsersPage { users, total, page, page_size: ADMIN_PAGE_SIZE })
}

/// A user's last 200 ledger rows, newest first.
pub async fn ledger(db: &Db, user_id: &str) -> Result<Vec<LedgerEntry>, AppError> {
    users::by_id(db, user_id).await?.ok_or(AppError::NotFound)?;
    let rows: Vec<(String, i64, String, Option<String>, Option<String>, i64)> = sqlx::query_as(
        "SELECT l.id, l.amount, l.reason, l.infograph_id, COALESCE(a.email, l.actor), l.created_at \
         FROM credit_ledger l LEFT JOIN users a ON a.id = l.actor \
         WHERE l.user_id = $1 ORDER BY l.created_at DESC, l.id DESC LIMIT 200",
    )
    .bind(user_id)
    .fetch_all(db.read())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, amount, reason, infograph_id, actor, created_at)| LedgerEntry {
            id,
            amount,
            reason,
            infograph_id,
            actor,
            created_at,
        })
        .collect())
}

/// Largest single grant or removal: a typo should not mint a million credits.
pub const MAX_ADJUSTMENT: i64 = 100_000;

/// Grants (positive) or removes (negative) credits; the ledger row names the admin.
pub async fn adjust_credits(state: &AppState, admin: &UserRow, user_id: &str, amount: i64) -> Result<i64, AppError> {
    require_admin(admin)?;
    if amount == 0 || amount.abs() > MAX_ADJUSTMENT {
        return Err(AppError::invalid_field("amount", format!("must be a non-zero number from -{MAX_ADJUSTMENT} to {MAX_ADJUSTMENT}")));
    }
    users::by_id(&state.db, user_id).await?.ok_or(AppError::NotFound)?;
    ledger::adjust(&state.db, user_id, amount, &admin.id).await
}

/// Retries a failed job for its owner: a new infograph with the same settings, charged to the
/// owner (the failed one was refunded), with the admin on the debit's ledger row.
pub async fn retry(state: &AppState, admin: &UserRow, id: &str) -> Result<Vec<String>, AppError> {
    require_admin(admin)?;
    let job = repo::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if job.status() != JobStatus::Failed {
        return Err(AppError::Conflict("only a failed job can be retried".into()));
    }
    let owner = users::by_id(&state.db, &job.user_id).await?.ok_or(AppError::NotFound)?;
    // One retry per failed job: a double click or a second admin gets the first retry's answer.
    let once = format!("admin-retry:{}", job.id);
    let created = create::regenerate_as(state, &owner, &job, &admin.id, Some(&once)).await?;
    Ok(created.response.infographs.into_iter().map(|j| j.id).collect())
}

pub async fn cancel(state: &AppState, admin: &UserRow, id: &str) -> Result<InfographView, AppError> {
    require_admin(admin)?;
    let job = repo::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    manage::cancel_job(state, &job).await
}

/// Sales: totals and the latest 25 purchases with their buyers' addresses.
pub async fn purchases(state: &AppState) -> Result<crate::model::admin::AdminPurchases, AppError> {
    use crate::server::billing::purchase_repo;
    let (paid, revenue, refunded, refunds) = purchase_repo::totals(&state.db).await?;
    let latest = purchase_repo::list_all(&state.db, 25).await?.into_iter().map(|(row, email)| (email, row.view())).collect();
    Ok(crate::model::admin::AdminPurchases { currency: state.config.billing.currency.clone(), paid, revenue, refunded, refunds, latest })
}

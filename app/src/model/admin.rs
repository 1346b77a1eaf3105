//! What the admin dashboard shows: shared by its server functions and its page.

use serde::{Deserialize, Serialize};

/// Rows per page in the admin tables.
pub const ADMIN_PAGE_SIZE: i64 = 25;

/// Filters of the jobs table; every field optional (empty = no filter).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobFilter {
    pub status: Option<String>,
    /// Part of the owner's email.
    pub user: Option<String>,
    /// `YYYY-MM-DD`, inclusive, UTC.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive, UTC.
    pub to: Option<String>,
    /// Part of the prompt, or an infograph id.
    pub q: Option<String>,
    pub page: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminJob {
    pub id: String,
    pub user_id: String,
    pub user_email: String,
    pub status: String,
    pub prompt: String,
    pub resolution: String,
    pub cost: i64,
    pub error: Option<String>,
    pub refunded: bool,
    pub cancelled: bool,
    pub cancellable: bool,
    pub deleted: bool,
    pub created_at: i64,
    /// Submission to completion, for finished jobs.
    pub duration_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminJobsPage {
    pub jobs: Vec<AdminJob>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

/// Health of the last 24 hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminStats {
    pub counts: Vec<StatusCount>,
    pub finished_24h: i64,
    pub failed_24h: i64,
    /// failed / finished over the last 24 h; `None` when nothing finished.
    pub failure_rate_24h: Option<f64>,
    /// Submission to completion of jobs completed in the last 24 h.
    pub p50_ms_24h: Option<i64>,
    pub p95_ms_24h: Option<i64>,
    pub users: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminUser {
    pub id: String,
    pub email: String,
    pub is_admin: bool,
    pub credit_balance: i64,
    pub created_at: i64,
    pub jobs: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminUsersPage {
    pub users: Vec<AdminUser>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: String,
    pub amount: i64,
    pub reason: String,
    pub infograph_id: Option<String>,
    /// Who made the change: a user's email, or `system` (refunds).
    pub actor: Option<String>,
    pub created_at: i64,
}

/// The `p`-th percentile (0–100) by nearest rank; `None` for no data.
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// `YYYY-MM-DD` (UTC) as unix milliseconds at midnight; the field is named in the error.
pub fn parse_day(field: &str, raw: &str) -> Result<i64, (String, String)> {
    let bad = || (field.to_string(), "must be a date like 2026-01-31".to_string());
    let mut parts = raw.trim().splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else { return Err(bad()) };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i64>(), m.parse::<i64>(), d.parse::<i64>()) else { return Err(bad()) };
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    // Days from civil (Howard Hinnant's algorithm): no date crate needed in the browser build.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(days * 86_400_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 95.0), Some(95));
        assert_eq!(percentile(&[7], 95.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn days_parse_to_utc_midnight() {
        assert_eq!(parse_day("from", "1970-01-01"), Ok(0));
        assert_eq!(parse_day("from", "2026-11-25"), Ok(1_795_564_800_000));
        assert!(parse_day("to", "2026-13-01").is_err());
        assert!(parse_day("to", "yesterday").is_err());
        assert_eq!(parse_day("to", "x").unwrap_err().0, "to");
    }
}

/// Credit sales for the admin dashboard: totals, and the latest purchases with their buyers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminPurchases {
    pub currency: String,
    /// Purchases paid.
    pub paid: i64,
    /// What they brought, in the smallest currency unit, before and net of refunds.
    pub revenue: i64,
    pub refunded: i64,
    /// Purchases with a refund.
    pub refunds: i64,
    pub latest: Vec<(String, crate::model::billing::PurchaseView)>,
}

/// How far back the dashboard's "recent" figures per model look, in days (beside all time).
pub const MODEL_STATS_DAYS: i64 = 30;

/// One model's jobs over a period: those created in it, whatever became of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelFigures {
    /// Every job, running ones included.
    pub jobs: i64,
    pub completed: i64,
    /// Failed jobs, not counting those cancelled by their owner or an admin (no fault of the model).
    pub failed: i64,
    /// failed / (completed + failed); `None` when none finished.
    pub failure_rate: Option<f64>,
    /// Mean submission → completion of the completed jobs, in milliseconds.
    pub mean_ms: Option<i64>,
    /// fal's list price of the completed images (one per job) at their resolution, in US dollars.
    /// Failures are left out: fal bills some of them and not others.
    pub usd: f64,
    /// Completed images without a list price (a model or size the catalogue no longer has): not
    /// in `usd`.
    pub unpriced: i64,
}

/// A model's figures: the last [`MODEL_STATS_DAYS`] days and all time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelStatsRow {
    /// The catalogue's id (a job from before the choice of model counts as `nano-banana-pro`).
    pub id: String,
    /// Its name in the catalogue; `None` for a model the catalogue no longer has.
    pub name: Option<String>,
    pub recent: ModelFigures,
    pub all_time: ModelFigures,
}

/// The dashboard's figures per model: every model of the catalogue (in its order), then any
/// other model jobs were drawn with. Versions made by editing the words in the browser are not
/// drawn by a model and are left out; "Make the text editable" (fal's layerize-text, whatever
/// model drew the picture) is counted apart, in `layers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelStats {
    /// The "recent" period, in days.
    pub days: i64,
    pub models: Vec<ModelStatsRow>,
    pub layers: ModelStatsRow,
}

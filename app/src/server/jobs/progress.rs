//! Where a job is and when it should be done: the phase shown on each card, a progress estimate
//! and an ETA from our own recent durations, and the view of a row that the browser and the API
//! see (`progress_poller` asks fal for the queue positions this reads).
//!
//! The phase is derived from the row, never stored separately, so no writer can leave it stale:
//! queued (not claimed) → reading blog (claimed, has a blog URL) → submitted (the intent or the
//! submission is recorded) → in fal's queue (position N) → generating (fal said `IN_PROGRESS`)
//! → storing (completed at fal, copy to our storage pending; see [`awaiting_storage`]) → done.

use super::repo::{self, InfographRow};
use crate::model::proofread::{ProofreadBadge, ProofreadStatus};
use crate::model::{InfographView, JobStatus, Phase, Resolution};
use crate::server::blog::brief;
use crate::server::platform::db::{now_ms, Db};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The bar never reaches 100 % before the image exists: an estimate is only an estimate.
pub const MAX_ESTIMATE: u8 = 95;
/// How many recent completions the median is taken over, and how far back.
const HISTORY_JOBS: i64 = 50;
const HISTORY_WINDOW_MS: i64 = 24 * 3600 * 1000;
/// Medians are recomputed at most this often per resolution (status polls are frequent).
const ETA_CACHE_TTL: Duration = Duration::from_secs(30);

/// Until our own history exists: typical nano-banana-pro times (4K renders take longest).
pub fn default_duration_ms(resolution: Resolution) -> i64 {
    match resolution {
        Resolution::K1 => 20_000,
        Resolution::K2 => 30_000,
        Resolution::K4 => 50_000,
    }
}

/// A completed job whose image is still being copied to our storage shows "storing"; one whose
/// copy gave up is done with fal's URL.
pub fn awaiting_storage(row: &InfographRow) -> bool {
    row.stored_at.is_none() && row.storage_gave_up_at.is_none()
}

pub fn phase_of(row: &InfographRow, now: i64) -> Phase {
    match row.status() {
        JobStatus::Failed => Phase::Failed,
        JobStatus::Completed if awaiting_storage(row) => Phase::Storing,
        JobStatus::Completed => Phase::Done,
        JobStatus::Processing => match row.fal_phase.as_deref() {
            Some("IN_PROGRESS") => Phase::Generating,
            Some("IN_QUEUE") => Phase::InQueue,
            _ => Phase::Submitted,
        },
        JobStatus::Queued if row.submit_started_at.is_some() => Phase::Submitted,
        // A lease in the past belongs to a dead worker: the job waits to be claimed again.
        JobStatus::Queued if row.blog_url.is_some() && row.lease_until.is_some_and(|l| l > now) => Phase::ReadingBlog,
        JobStatus::Queued => Phase::Queued,
    }
}

/// Percent done and milliseconds left. Before fal has the job the bar moves in small fixed
/// steps; from the submission on it follows the elapsed share of the expected duration, capped
/// at [`MAX_ESTIMATE`] until the image exists.
pub fn estimate(phase: Phase, submitted_at: Option<i64>, now: i64, expected_ms: i64) -> (u8, Option<i64>) {
    let expected_ms = expected_ms.max(1);
    match phase {
        Phase::Done => (100, Some(0)),
        Phase::Failed => (0, None),
        Phase::Storing => (MAX_ESTIMATE + 2, Some(0)),
        Phase::Queued => (2, Some(expected_ms)),
        Phase::ReadingBlog => (5, Some(expected_ms)),
        Phase::Submitted | Phase::InQueue | Phase::Generating => {
            let elapsed = submitted_at.map_or(0, |at| (now - at).max(0));
            let share = (elapsed as f64 / expected_ms as f64).min(1.0);
            let percent = (10.0 + share * f64::from(MAX_ESTIMATE - 10)).round() as u8;
            (percent.min(MAX_ESTIMATE), Some((expected_ms - elapsed).max(0)))
        }
    }
}

/// Fills the view's phase, queue position, progress and ETA. `expected_ms`: the median duration
/// for the job's resolution, `None` for the default.
pub fn annotate(view: &mut InfographView, row: &InfographRow, now: i64, expected_ms: Option<i64>) {
    let phase = phase_of(row, now);
    let resolution = row.resolution.parse().unwrap_or(Resolution::K1);
    let expected = expected_ms.unwrap_or_else(|| default_duration_ms(resolution));
    let (progress, eta_ms) = estimate(phase, row.submitted_at, now, expected);
    view.phase = phase;
    view.queue_position = (phase == Phase::InQueue).then_some(row.queue_position).flatten();
    view.progress = progress;
    view.eta_ms = eta_ms;
}

/// The median of some durations (the mean of the middle two for an even count).
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 0 { (values[mid - 1] + values[mid]) / 2 } else { values[mid] })
}

/// Median submission-to-completion time per resolution, recomputed at most every 30 s.
#[derive(Default)]
pub struct EtaCache {
    medians: Mutex<HashMap<String, (Instant, Option<i64>)>>,
}

impl EtaCache {
    pub async fn expected_ms(&self, db: &Db, resolution: &str) -> Option<i64> {
        if let Some(hit) = self.cached(resolution) {
            return hit;
        }
        let median = recent_median(db, resolution, now_ms()).await.unwrap_or_else(|err| {
            tracing::warn!(error = %err, "could not compute the duration median");
            None
        });
        if let Ok(mut medians) = self.medians.lock() {
            medians.insert(resolution.to_string(), (Instant::now(), median));
        }
        median
    }

    fn cached(&self, resolution: &str) -> Option<Option<i64>> {
        let medians = self.medians.lock().ok()?;
        medians.get(resolution).filter(|(at, _)| at.elapsed() < ETA_CACHE_TTL).map(|(_, m)| *m)
    }

    /// The row's view, with the ETA from our own history when the job is still running.
    pub async fn view(&self, db: &Db, row: &InfographRow) -> InfographView {
        let mut view = row.view();
        if !view.status.is_final() {
            let expected = self.expected_ms(db, &row.resolution).await;
            annotate(&mut view, row, now_ms(), expected);
        }
        view
    }
}

/// The median over the last [`HISTORY_JOBS`] completions of the last 24 h at this resolution.
pub async fn recent_median(db: &Db, resolution: &str, now: i64) -> Result<Option<i64>, sqlx::Error> {
    Ok(median(repo::recent_durations(db, resolution, now - HISTORY_WINDOW_MS, HISTORY_JOBS).await?))
}

impl InfographRow {
    /// The proofread's summary: a completed picture's is pending until its read-back ends.
    fn proofread_badge(&self) -> Option<ProofreadBadge> {
        if self.status() != JobStatus::Completed {
            return None;
        }
        let count = |v: Option<i64>| v.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        Some(ProofreadBadge {
            status: self.proofread_status.as_deref().and_then(ProofreadStatus::parse).unwrap_or_default(),
            problems: count(self.proofread_problems),
            words_expected: count(self.proofread_words_expected),
            words_found: count(self.proofread_words_found),
        })
    }

    /// The view with the default duration estimate; [`EtaCache::view`] refines it with our own
    /// recent durations.
    pub fn view(&self) -> InfographView {
        let title = self.name();
        let mut view = InfographView {
            id: self.id.clone(),
            status: self.status(),
            title: title.clone(),
            prompt: self.user_prompt.clone(),
            blog_url: self.blog_url.clone(),
            aspect_ratio: self.aspect_ratio.clone(),
            resolution: self.resolution.clone(),
            model: self.model.clone().unwrap_or_else(|| crate::server::models::LEGACY_MODEL.into()),
            image_url: self.image_url.clone(),
            width: self.width,
            height: self.height,
            error: self.error_message.clone(),
            refunded: self.refunded_at.is_some(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            cancelled: self.cancelled_at.is_some(),
            cancellable: self.cancellable(),
            thumbnail_url: self.thumbnail_url.clone(),
            source_image_url: self.source_image_url.clone(),
            version: self.version,
            phase: Phase::Queued,
            queue_position: None,
            progress: 0,
            eta_ms: None,
            progress_version: self.progress_version,
            parent_id: self.parent_id.clone(),
            family_id: self.family_id.clone(),
            instruction: self.instruction.clone(),
            versions: 0,
            alt_text: self.alt_text.clone().unwrap_or_else(|| brief::alt_text(&title, self.built_prompt.as_deref())),
            layout: self.layout.clone().unwrap_or_else(|| "auto".into()),
            style: self.style.clone(),
            language: self.language.clone().unwrap_or_else(|| crate::model::design::DEFAULT_LANGUAGE.into()),
            brand_kit_id: self.brand_kit_id.clone(),
            proofread: self.proofread_badge(),
            kind: crate::model::infograph::VersionKind::parse(&self.kind).unwrap_or_default(),
        };
        annotate(&mut view, self, now_ms(), None);
        view
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: JobStatus) -> InfographRow {
        InfographRow {
            id: "i".into(),
            user_id: "u".into(),
            batch_id: "b".into(),
            user_prompt: "p".into(),
            built_prompt: None,
            blog_url: None,
            aspect_ratio: "1:1".into(),
            resolution: "1K".into(),
            cost: 1,
            status,
            version: 0,
            attempts: 0,
            lease_until: None,
            fal_request_id: None,
            fal_status_url: None,
            fal_response_url: None,
            fal_cancel_url: None,
            image_url: None,
            width: None,
            height: None,
            error_message: None,
            refunded_at: None,
            submit_started_at: None,
            created_at: 0,
            submitted_at: None,
            completed_at: None,
            updated_at: 0,
            cancel_requested_at: None,
            cancelled_at: None,
            deleted_at: None,
            regenerated_from: None,
            source_image_url: None,
            thumbnail_url: None,
            fal_phase: None,
            queue_position: None,
            progress_version: 0,
            stored_at: None,
            storage_gave_up_at: None,
            parent_id: None,
            family_id: None,
            instruction: None,
            alt_text: None,
            layout: None,
            style: None,
            language: None,
            brand_kit_id: None,
            brand: None,
            outline: None,
            title: None,
            proofread_status: None,
            proofread_problems: None,
            proofread_words_expected: None,
            proofread_words_found: None,
            proofread_fix: 0,
            kind: "generated".into(),
            layers: None,
            model: None,
        }
    }

    #[test]
    fn phases_follow_the_row() {
        let now = 1_000_000;
        let mut r = row(JobStatus::Queued);
        assert_eq!(phase_of(&r, now), Phase::Queued);
        r.lease_until = Some(now + 10);
        assert_eq!(phase_of(&r, now), Phase::Queued, "claimed without a blog goes straight to fal");
        r.blog_url = Some("https://example.com/".into());
        assert_eq!(phase_of(&r, now), Phase::ReadingBlog);
        r.lease_until = Some(now - 10);
        assert_eq!(phase_of(&r, now), Phase::Queued, "an expired lease is a dead worker");
        r.submit_started_at = Some(now);
        assert_eq!(phase_of(&r, now), Phase::Submitted);
        r.status = JobStatus::Processing;
        assert_eq!(phase_of(&r, now), Phase::Submitted);
        r.fal_phase = Some("IN_QUEUE".into());
        assert_eq!(phase_of(&r, now), Phase::InQueue);
        r.fal_phase = Some("IN_PROGRESS".into());
        assert_eq!(phase_of(&r, now), Phase::Generating);
        r.fal_phase = Some("SOMETHING_NEW".into());
        assert_eq!(phase_of(&r, now), Phase::Submitted);
        r.status = JobStatus::Completed;
        assert_eq!(phase_of(&r, now), Phase::Storing, "completed at fal, not yet in our storage");
        r.storage_gave_up_at = Some(now);
        assert_eq!(phase_of(&r, now), Phase::Done, "the copy gave up: fal's URL is the image");
        r.storage_gave_up_at = None;
        r.stored_at = Some(now);
        assert_eq!(phase_of(&r, now), Phase::Done);
        r.status = JobStatus::Failed;
        assert_eq!(phase_of(&r, now), Phase::Failed);
    }

    #[test]
    fn the_estimate_never_reaches_100_before_the_image_exists() {
        let expected = 20_000;
        for elapsed in [0, 1, 10_000, 19_999, 20_000, 60_000, 10_000_000] {
            for phase in [Phase::Queued, Phase::ReadingBlog, Phase::Submitted, Phase::InQueue, Phase::Generating, Phase::Storing] {
                let (p, _) = estimate(phase, Some(0), elapsed, expected);
                assert!(p < 100, "{phase:?} at {elapsed} ms: {p}");
            }
        }
        assert_eq!(estimate(Phase::Done, Some(0), 1, expected).0, 100);
        assert_eq!(estimate(Phase::Generating, Some(0), 60_000, expected).0, MAX_ESTIMATE);
    }

    #[test]
    fn the_estimate_grows_with_time_and_the_eta_shrinks() {
        let (p1, eta1) = estimate(Phase::Generating, Some(0), 5_000, 20_000);
        let (p2, eta2) = estimate(Phase::Generating, Some(0), 15_000, 20_000);
        assert!(p1 < p2, "{p1} < {p2}");
        assert_eq!(eta1, Some(15_000));
        assert_eq!(eta2, Some(5_000));
        assert_eq!(estimate(Phase::Generating, Some(0), 25_000, 20_000).1, Some(0));
        // Phases before fal never overtake the submitted phase.
        assert!(estimate(Phase::ReadingBlog, None, 0, 20_000).0 < estimate(Phase::Submitted, Some(0), 0, 20_000).0);
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![7]), Some(7));
        assert_eq!(median(vec![9, 1, 5]), Some(5));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
        assert_eq!(median(vec![1, 1, 1, 100_000]), Some(1), "one outlier does not move it");
    }

    #[test]
    fn a_queue_position_shows_only_in_the_queue() {
        let mut r = row(JobStatus::Processing);
        r.queue_position = Some(3);
        r.fal_phase = Some("IN_PROGRESS".into());
        let v = r.view();
        assert_eq!(v.queue_position, None);
        r.fal_phase = Some("IN_QUEUE".into());
        let v = r.view();
        assert_eq!((v.phase, v.queue_position), (Phase::InQueue, Some(3)));
        assert_eq!(Phase::InQueue.label(Some(3)), "In fal's queue (position 4)");
    }
}

//! The loop shared by the background queues whose state is rows in the database (the job
//! worker's idle wait, the image copier, the email sender): claim one row, handle it, and when
//! there is nothing to claim sleep until woken (new work on this instance) or the idle poll (work
//! from other instances, retries falling due).

use super::shutdown::Stopping;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Wakes one background loop at once instead of at its next idle poll.
#[derive(Clone, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    /// Resolves when woken, or after `idle`.
    pub async fn wait(&self, idle: Duration) {
        let _ = tokio::time::timeout(idle, self.0.notified()).await;
    }
}

/// Runs until the instance stops. `step` claims and handles at most one row: `Ok(true)` when it
/// did work (look for more at once), `Ok(false)` when there was none. A database error is logged
/// and waited out. A step in progress when the stop is asked finishes (the stop waits for it).
pub async fn run<Step, Fut>(what: &'static str, idle: Duration, wake: &Wake, stopping: &Stopping, mut step: Step)
where
    Step: FnMut() -> Fut,
    Fut: Future<Output = Result<bool, sqlx::Error>>,
{
    loop {
        let Some(work) = stopping.begin_work() else { return };
        let done = step().await;
        drop(work);
        match done {
            Ok(true) => {}
            Ok(false) => wake.wait(idle).await,
            Err(err) => {
                tracing::error!(error = %err, queue = what, "could not claim work");
                tokio::time::sleep(idle).await;
            }
        }
    }
}

const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// The delay before retry `attempt` (1-based): `base × 2^(attempt-1)`, capped at an hour.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1))).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff(base, 1), Duration::from_secs(5));
        assert_eq!(backoff(base, 3), Duration::from_secs(20));
        assert_eq!(backoff(base, 40), MAX_BACKOFF);
    }
}

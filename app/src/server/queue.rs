//! The loop shared by the background queues whose state is rows in the database (the image
//! copier, the email sender): claim one row, handle it, and when there is nothing to claim sleep
//! until woken (new work on this instance) or the idle poll (work from other instances, retries
//! falling due).

use std::future::Future;
use std::time::Duration;
use tokio::sync::Notify;

/// Runs forever. `step` claims and handles at most one row: `Ok(true)` when it did work (look for
/// more at once), `Ok(false)` when there was none. A database error is logged and waited out.
pub async fn run<Step, Fut>(what: &'static str, idle: Duration, wake: &Notify, mut step: Step)
where
    Step: FnMut() -> Fut,
    Fut: Future<Output = Result<bool, sqlx::Error>>,
{
    loop {
        match step().await {
            Ok(true) => {}
            Ok(false) => {
                let _ = tokio::time::timeout(idle, wake.notified()).await;
            }
            Err(err) => {
                tracing::error!(error = %err, queue = what, "could not claim work");
                tokio::time::sleep(idle).await;
            }
        }
    }
}

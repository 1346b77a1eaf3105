//! Periodic clean-up of rows that only matter for a while: finished rate-limit windows,
//! idempotency keys older than a day, expired sessions. Safe on every instance at once (plain
//! deletes).

use crate::server::accounts::sessions;
use crate::server::idempotency;
use crate::server::platform::rate_limit;
use crate::server::platform::state::AppState;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(60);

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(EVERY).await;
            if let Err(err) = rate_limit::purge(&state.db).await {
                tracing::warn!(error = %err, "could not purge rate-limit windows");
            }
            if let Err(err) = idempotency::purge_expired(&state.db).await {
                tracing::warn!(error = %err, "could not purge idempotency keys");
            }
            if let Err(err) = sessions::purge_expired(&state.db).await {
                tracing::warn!(error = %err, "could not purge expired sessions");
            }
        }
    })
}

//! Whether this instance should be sent traffic (`GET /api/ready/`), as opposed to whether the
//! process is alive (`/api/health/`): the database answers, its schema is the one this build
//! expects, the image store takes writes, and the instance is not stopping. Each check is
//! bounded, so a hung dependency makes the answer "not ready", never a hung probe.

use super::state::AppState;
use crate::server::delivery::storage;
use std::time::Duration;

const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// One check's name and, when it failed, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub problem: Option<String>,
}

/// Every check, in a fixed order.
pub async fn check(state: &AppState) -> Vec<Check> {
    let (database, migrations, storage) = tokio::join!(database(state), migrations(state), storage(state));
    let stopping = state.stopping.is_stopping().then(|| "the instance is shutting down".to_string());
    vec![
        Check { name: "database", problem: database },
        Check { name: "migrations", problem: migrations },
        Check { name: "storage", problem: storage },
        Check { name: "shutdown", problem: stopping },
    ]
}

async fn bounded<F: std::future::Future<Output = Option<String>>>(what: &str, check: F) -> Option<String> {
    tokio::time::timeout(CHECK_TIMEOUT, check).await.unwrap_or_else(|_| Some(format!("{what} did not answer within {}s", CHECK_TIMEOUT.as_secs())))
}

async fn database(state: &AppState) -> Option<String> {
    bounded("the database", async {
        sqlx::query("SELECT 1").execute(state.db.read()).await.err().map(|e| logged("cannot query the database", e))
    })
    .await
}

async fn migrations(state: &AppState) -> Option<String> {
    bounded("the database", async {
        match state.db.migration_versions().await {
            Ok((applied, known)) if applied == known => None,
            Ok((applied, known)) if applied > known => {
                Some(format!("the database is at migration {applied}, newer than this build's {known}: a newer version migrated it"))
            }
            Ok((applied, known)) => Some(format!("the database is at migration {applied}; this build needs {known}")),
            Err(e) => Some(logged("cannot read the applied migrations", e)),
        }
    })
    .await
}

/// A probe object of its own each time: two probes at once (a load balancer and a watchdog, or
/// two instances on one store) must not delete each other's.
async fn storage(state: &AppState) -> Option<String> {
    bounded("the image store", async {
        storage::probe_write(&state.storage, &crate::server::platform::db::new_id())
            .await
            .err()
            .map(|e| logged("cannot write to the image store", e))
    })
    .await
}

/// The answer is public: it says what is wrong in words, and the error itself (paths, bucket,
/// database messages) goes to the log.
fn logged(what: &str, error: impl std::fmt::Display) -> String {
    tracing::warn!(%error, "not ready: {what}");
    what.to_string()
}

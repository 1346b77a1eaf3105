//! What every handler, server function and background task shares.

use super::config::Config;
use super::db::Db;
use super::fal::FalClient;
use super::jobs::WorkerHandle;
use super::webhook::JwksCache;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub fal: FalClient,
    pub jwks: Arc<JwksCache>,
    pub tokens: Arc<super::auth::TokenCache>,
    pub worker: WorkerHandle,
    /// Absolute base URL that webhook URLs are built from (no trailing slash).
    pub public_base_url: Arc<str>,
    pub leptos_options: LeptosOptions,
    /// Our copy of generated images (see `server::storage`).
    pub storage: super::storage::Storage,
    /// Job notification emails (see `server::notify`).
    pub mailer: super::notify::Mailer,
    /// Live job updates (SSE), see `events.rs`: call `events.job_changed(&id)` after a change.
    pub events: super::events::Events,
    /// Median durations for the progress bar's ETA.
    pub eta: Arc<super::progress::EtaCache>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

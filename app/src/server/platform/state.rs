//! What every handler, server function and background task shares: the configuration and one
//! handle to each service. Built once at startup (`platform::bootstrap`).

use super::config::Config;
use super::db::Db;
use super::queue::Wake;
use super::shutdown::Stopping;
use super::signing::Signer;
use crate::server::accounts::tokens::TokenCache;
use crate::server::blog::extract::Reader;
use crate::server::delivery::email::Mailer;
use crate::server::delivery::events::Events;
use crate::server::delivery::storage::Storage;
use crate::server::fal::client::FalClient;
use crate::server::fal::signature::JwksCache;
use crate::server::jobs::progress::EtaCache;
use crate::server::models::Catalogue;
use crate::server::stripe::client::StripeClient;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub fal: FalClient,
    pub jwks: Arc<JwksCache>,
    pub tokens: Arc<TokenCache>,
    /// Wakes the job worker at once (after a create) instead of at its next idle poll.
    pub worker: Wake,
    /// Wakes the proofreader when a picture is completed.
    pub proofreader: Wake,
    /// Absolute base URL that webhook URLs are built from (no trailing slash).
    pub public_base_url: Arc<str>,
    pub leptos_options: LeptosOptions,
    /// Our copy of generated images.
    pub storage: Storage,
    /// Emails (job notifications).
    pub mailer: Mailer,
    /// Live job updates (SSE): call `events.job_changed(&id)` after a change.
    pub events: Events,
    /// Median durations for the progress bar's ETA.
    pub eta: Arc<EtaCache>,
    /// Signs verification links.
    pub signer: Signer,
    /// Reads blog pages: a few at a time, each within a deadline (shared by every job).
    pub reader: Reader,
    /// Stripe, when `STRIPE_SECRET_KEY` is set (purchases need the other two keys as well).
    pub stripe: Option<StripeClient>,
    /// The instance's stop: background loops claim nothing once it is asked.
    pub stopping: Stopping,
    /// The models pictures can be drawn with, their inputs and prices.
    pub models: Arc<Catalogue>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

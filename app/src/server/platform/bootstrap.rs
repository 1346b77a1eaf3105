//! Builds the shared state from the configuration (database, fal client or emulator, storage,
//! mailer, events) and starts the background tasks. The HTTP side is put together by
//! `crate::startup`, which calls this.

use super::config::{Config, Secret, DEFAULT_FAL_JWKS_URL, DEFAULT_FAL_QUEUE_URL};
use super::db::{redact_url, Db};
use super::signing::Signer;
use super::state::AppState;
use crate::server::accounts::tokens::TokenCache;
use crate::server::blog::extract::Reader;
use crate::server::delivery::email::{MailError, Mailer};
use crate::server::delivery::events::Events;
use crate::server::delivery::storage::{Storage, StorageError};
use crate::server::delivery::{copier, sender};
use crate::server::fal::client::FalClient;
use crate::server::fal::emulator::{self, Emulator};
use crate::server::fal::signature::JwksCache;
use crate::server::billing;
use crate::server::housekeeping;
use crate::server::stripe::client::StripeClient;
use crate::server::jobs::progress::EtaCache;
use crate::server::jobs::{progress_poller, reconciler, worker};
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Mode(#[from] super::mode::ModeError),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("cannot open the database {0}: {1}")]
    Database(String, sqlx::Error),
    #[error("cannot load the signing key: {0}")]
    Secrets(sqlx::Error),
    #[error("migrations failed: {0}")]
    Migrations(#[from] sqlx::migrate::MigrateError),
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("email: {0}")]
    Mail(#[from] MailError),
    #[error(transparent)]
    Models(#[from] crate::server::models::CatalogueError),
}

/// The state, and the emulator to mount when it was asked for (`FAL_EMULATOR`).
pub struct Services {
    pub state: AppState,
    pub emulator: Option<Emulator>,
}

/// `local`: the loopback URL of the bound listener; `addr`: its address.
pub async fn build(mut config: Config, addr: SocketAddr, local: &str) -> Result<Services, StartupError> {
    let public_base_url = config.public_base_url.clone().unwrap_or_else(|| local.to_string());
    let mut models = crate::server::models::Catalogue::load(config.models_file.as_deref())?;
    // FAL_MODEL, from before the catalogue: the built-in default model drawn at that endpoint.
    if config.models_file.is_none() && config.fal.model != super::config::DEFAULT_FAL_MODEL {
        models = models.with_default_endpoint(&config.fal.model);
    }
    let models = Arc::new(models);
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| StartupError::Database(redact_url(&config.database_url), e))?;
    db.migrate().await?;
    let signer = Signer::load(&db, config.signing_key.as_ref()).await.map_err(StartupError::Secrets)?;

    let http = super::http::client()?;
    let emulator_key = Emulator::random_api_key();
    let emulator = config.fal.uses_emulator().then(|| {
        Emulator::new(
            format!("{local}{}", emulator::PREFIX),
            format!("{public_base_url}{}", emulator::PREFIX),
            emulator_key.clone(),
            config.emulator_delay,
            http.clone(),
        )
    });
    let queue_url = config.fal.queue_url.clone().unwrap_or_else(|| match &emulator {
        Some(emu) => emu.queue_url(),
        None => DEFAULT_FAL_QUEUE_URL.to_string(),
    });
    let jwks_url = config.fal.jwks_url.clone().unwrap_or_else(|| match &emulator {
        Some(emu) => emu.jwks_url(),
        None => DEFAULT_FAL_JWKS_URL.to_string(),
    });
    // The emulator signs as its own fal user; expecting it keeps the account check running
    // wherever the emulator is used (locally, in every test).
    if emulator.is_some() && config.fal.webhook_user_id.is_none() {
        config.fal.webhook_user_id = Some(emulator::EMULATOR_USER_ID.to_string());
    }
    if config.fal.webhook_user_id.is_none() {
        tracing::warn!("FAL_WEBHOOK_USER_ID is unset: webhooks signed by fal for any fal account are accepted");
    }
    let key = config.fal.key.clone().unwrap_or_else(|| Secret::new(emulator_key));
    let fal = FalClient::new(http.clone(), queue_url.clone(), key, config.fal.retry_base, config.fal.max_attempts);
    let emulator_files = emulator
        .as_ref()
        .map(|_| (format!("{public_base_url}{}/files/", emulator::PREFIX), format!("{local}{}/files/", emulator::PREFIX)));
    let storage = Storage::open(&config, emulator_files)?;
    let mailer = Mailer::open(&config)?;
    tracing::info!(storage = %storage.describe, email = %mailer.describe(), fal_queue = %queue_url, "services configured");
    let leptos_options = leptos::config::LeptosOptions::builder()
        .output_name(bundle_name(&config.site_root))
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let stripe = match &config.billing.secret_key {
        Some(key) => Some(StripeClient::new(&config.billing.api_base, key.clone())?),
        None => None,
    };
    if stripe.is_some() && !config.billing.configured() {
        tracing::warn!("STRIPE_SECRET_KEY is set without STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET: purchases stay off");
    }
    let eta = Arc::new(EtaCache::default());
    let events = Events::new(db.clone(), eta.clone(), config.event_streams_per_user);
    let state = AppState {
        config: Arc::new(config),
        db,
        fal,
        jwks: Arc::new(JwksCache::new(http, jwks_url)),
        tokens: Arc::new(TokenCache::default()),
        worker: Default::default(),
        proofreader: Default::default(),
        public_base_url: public_base_url.into(),
        leptos_options,
        storage,
        mailer,
        events,
        eta,
        signer,
        reader: Reader::default(),
        stripe,
        stopping: Default::default(),
        models,
    };
    Ok(Services { state, emulator })
}

/// Where the built bundle is under `/pkg`: `<hash>/infograph`, a directory named for its content
/// (written by `scripts/build.sh` to `pkg/stem.txt`); plain `infograph` for a site built without
/// one. Only a plain relative path is taken: it ends up in the page's script and stylesheet URLs.
fn bundle_name(site_root: &str) -> String {
    let written = std::fs::read_to_string(std::path::Path::new(site_root).join("pkg/stem.txt")).unwrap_or_default();
    let stem = written.trim();
    let plain_part = |part: &str| !part.is_empty() && part != "." && part != ".." && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if stem.split('/').all(plain_part) { stem.to_string() } else { "infograph".to_string() }
}

/// The worker, the reconciler, the progress poller, the image copier, the email sender, the
/// housekeeping, the proofreader, (on PostgreSQL) the event listener and (with `METRICS_ADDR`)
/// the metrics sampler.
pub fn spawn_background(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = vec![
        worker::spawn(state.clone()),
        reconciler::spawn(state.clone()),
        progress_poller::spawn(state.clone()),
        copier::spawn(state.clone()),
        sender::spawn(state.clone()),
        housekeeping::spawn(state.clone()),
        billing::reconciler::spawn(state.clone()),
        crate::server::proofread::spawn(state.clone()),
    ];
    tasks.extend(state.events.spawn_pg_listener(state.config.database_url.clone()));
    // Only with a listener: servers of one process share the recorder, a sampler each would mix their databases.
    if state.config.metrics_addr.is_some() {
        tasks.push(super::metrics::spawn_sampler(state.db.clone(), state.config.email.max_attempts));
    }
    tasks
}

#[cfg(test)]
mod tests {
    use super::bundle_name;

    fn named(stem: Option<&str>) -> String {
        let dir = tempfile::tempdir().expect("a temporary directory");
        if let Some(stem) = stem {
            std::fs::create_dir_all(dir.path().join("pkg")).expect("pkg");
            std::fs::write(dir.path().join("pkg/stem.txt"), stem).expect("stem.txt");
        }
        bundle_name(dir.path().to_str().expect("a UTF-8 path"))
    }

    #[test]
    fn the_built_directory_is_used_as_written() {
        assert_eq!(named(Some("a26f52104f3512fa/infograph\n")), "a26f52104f3512fa/infograph");
        assert_eq!(named(Some("infograph.0123abcd")), "infograph.0123abcd");
    }

    #[test]
    fn anything_but_a_plain_relative_path_falls_back() {
        assert_eq!(named(None), "infograph");
        for bad in ["", "../etc/infograph", "/abs/infograph", "a//b", "a/./b", "x\"><script>", "a b/infograph"] {
            assert_eq!(named(Some(bad)), "infograph", "{bad:?}");
        }
    }
}

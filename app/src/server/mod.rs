//! Server-only domain: configuration, database, credits, the fal client and its emulator,
//! webhook verification, blog scraping, the job pipeline, and the process bootstrap.

pub mod admin;
pub mod auth;
pub mod brief;
pub mod config;
pub mod credits;
pub mod db;
pub mod emulator;
pub mod events;
pub mod extract;
pub mod fal;
pub mod jobs;
pub mod notify;
pub mod progress;
pub mod queue;
pub mod ratelimit;
pub mod scrape;
pub mod service;
pub mod state;
pub mod storage;
pub mod webhook;

use crate::api::rest;
use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use config::{Config, Secret, DEFAULT_FAL_JWKS_URL, DEFAULT_FAL_QUEUE_URL};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// A server that is listening, with its background tasks running.
pub struct Running {
    pub addr: SocketAddr,
    pub base_url: String,
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Waits until the HTTP server stops (Ctrl-C / SIGTERM when started by [`serve`]).
    pub async fn wait(mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        for task in &self.tasks {
            task.abort();
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

fn loopback_url(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { addr.ip().to_string() };
    match addr {
        SocketAddr::V6(_) if !addr.ip().is_unspecified() => format!("http://[{ip}]:{}", addr.port()),
        _ => format!("http://{ip}:{}", addr.port()),
    }
}

/// Upper bound of one outbound call (fal, JWKS, emulator webhooks).
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(HTTP_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("infograph/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Binds, migrates, mounts the emulator when no `FAL_KEY` is set, and starts the worker and the
/// reconciler. `site_addr` port 0 picks a free port (tests).
pub async fn start(config: Config) -> Result<Running, String> {
    let listener = tokio::net::TcpListener::bind(config.site_addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.site_addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let local = loopback_url(addr);
    let public_base_url = config.public_base_url.clone().unwrap_or_else(|| local.clone());

    let db = db::Db::connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", db::redact_url(&config.database_url)))?;
    db.migrate().await.map_err(|e| format!("migrations failed: {e}"))?;

    let http = http_client()?;
    let emulator_key = emulator::Emulator::random_api_key();
    let emulator = config.fal.uses_emulator().then(|| {
        emulator::Emulator::new(
            format!("{local}{}", emulator::PREFIX),
            format!("{public_base_url}{}", emulator::PREFIX),
            Some(emulator_key.clone()),
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
    let key = config.fal.key.clone().unwrap_or_else(|| Secret::new(emulator_key));
    let fal = fal::FalClient::new(
        http.clone(),
        queue_url.clone(),
        config.fal.model.clone(),
        key,
        config.fal.retry_base,
        config.fal.max_attempts,
    );
    let emulator_files = emulator.as_ref().map(|_| {
        (format!("{public_base_url}{}/files/", emulator::PREFIX), format!("{local}{}/files/", emulator::PREFIX))
    });
    let storage = storage::Storage::open(&config, emulator_files)?;
    let mailer = notify::Mailer::open(&config)?;
    tracing::info!(storage = %storage.describe, email = %mailer.describe(), "storage and email configured");
    let leptos_options = leptos::config::LeptosOptions::builder()
        .output_name("infograph")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let eta = Arc::new(progress::EtaCache::default());
    let events = events::Events::new(db.clone(), eta.clone(), config.event_streams_per_user);
    let database_url = config.database_url.clone();
    let state = AppState {
        config: Arc::new(config),
        db,
        fal,
        jwks: Arc::new(webhook::JwksCache::new(http, jwks_url)),
        tokens: Arc::new(auth::TokenCache::new()),
        worker: jobs::WorkerHandle::default(),
        public_base_url: public_base_url.clone().into(),
        leptos_options,
        storage,
        mailer,
        events,
        eta,
    };

    let mut router = router(state.clone());
    if let Some(emu) = &emulator {
        router = router.nest(emulator::PREFIX, emu.router());
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let live = state.events.clone();
    let server = tokio::spawn(async move {
        let shutdown = async move {
            tokio::select! {
                _ = rx => {}
                _ = shutdown_signal() => {}
            }
            // Event streams never end by themselves; a graceful shutdown waits for them.
            live.close();
        };
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(err) = axum::serve(listener, service).with_graceful_shutdown(shutdown).await {
            tracing::error!(error = %err, "server stopped with an error");
        }
    });
    let mut tasks = vec![
        jobs::spawn_worker(state.clone()),
        jobs::spawn_reconciler(state.clone()),
        progress::spawn_progress_poller(state.clone()),
        storage::spawn_copier(state.clone()),
        notify::spawn_sender(state.clone()),
    ];
    tasks.extend(state.events.spawn_pg_listener(database_url));
    tracing::info!(
        %addr, public_base_url, fal_queue = %queue_url, emulator = emulator.is_some(),
        "infograph is listening"
    );
    Ok(Running { addr, base_url: local, state, shutdown: Some(tx), server: Some(server), tasks })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), request).await
}

/// `/admin` answers 404 to everyone but admins (the page then shows "Page not found"), so the
/// dashboard's existence is not advertised. The data behind it is checked per server function.
async fn admin_gate(
    State(state): State<AppState>,
    request: Request<Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if request.uri().path().trim_end_matches('/') != "/admin" {
        return next.run(request).await;
    }
    let session = request
        .headers()
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| auth::cookie_value(h, auth::SESSION_COOKIE).map(str::to_string));
    let admin = match session {
        Some(token) => matches!(auth::user_for_session(&state.db, &token).await, Ok(Some(u)) if u.admin()),
        None => false,
    };
    let mut response = next.run(request).await;
    if !admin {
        *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    response
}

/// All routes: the REST API, server functions, the Leptos pages, and static files.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(crate::App);
    let context_state = state.clone();
    Router::new()
        .merge(rest::router())
        .route("/sfn/{*fn_name}", post(server_fn_handler).get(server_fn_handler))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            {
                let options = state.leptos_options.clone();
                move || crate::shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(crate::shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), admin_gate))
        .with_state(state)
}

/// Initialises logging from `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,hyper=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// `infograph fal-emulator`: the emulator alone, for pointing `FAL_QUEUE_URL` / `FAL_JWKS_URL` at.
pub async fn serve_emulator(addr: SocketAddr, delay: Duration) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let base = loopback_url(bound);
    let emu = emulator::Emulator::new(base.clone(), base, None, delay, http_client()?);
    tracing::info!(queue = %emu.queue_url(), jwks = %emu.jwks_url(), "fal emulator listening");
    axum::serve(listener, emu.router())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

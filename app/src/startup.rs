//! The running service: checks the mode, binds the listener, builds the state and the router,
//! mounts the fal emulator when asked for (`FAL_EMULATOR`), and starts the background tasks.
//! `main` and the tests use the same door, [`Application::build`].

use crate::server::fal::emulator::{self, Emulator};
use crate::server::platform::bootstrap::{self, StartupError};
use crate::server::platform::config::{Config, LogFormat};
use crate::server::platform::metrics;
use crate::server::platform::state::AppState;
use std::net::SocketAddr;
use std::time::Duration;

/// A server that is listening, with its background tasks running.
pub struct Application {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:{port}`: where this process answers (tests and logs).
    pub base_url: String,
    pub state: AppState,
    /// Where `/metrics` is served (`METRICS_ADDR`, bound), if anywhere.
    pub metrics_addr: Option<SocketAddr>,
    server: Option<tokio::task::JoinHandle<()>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

fn loopback_url(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { addr.ip().to_string() };
    match addr {
        SocketAddr::V6(_) if !addr.ip().is_unspecified() => format!("http://[{ip}]:{}", addr.port()),
        _ => format!("http://{ip}:{}", addr.port()),
    }
}

impl Application {
    /// Binds (`site_addr` port 0 picks a free port), migrates, and starts serving.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        crate::server::platform::mode::check(&config)?;
        let listener = tokio::net::TcpListener::bind(config.site_addr)
            .await
            .map_err(|e| StartupError::Listen(config.site_addr, e))?;
        let addr = listener.local_addr().map_err(|e| StartupError::Listen(config.site_addr, e))?;
        let metrics_listener = metrics::Listener::bind(config.metrics_addr).await.map_err(|(at, e)| StartupError::Listen(at, e))?;
        let local = loopback_url(addr);
        let bootstrap::Services { state, emulator } = bootstrap::build(config, addr, &local).await?;
        let mut router = crate::api::router::router(state.clone());
        if let Some(emu) = &emulator {
            // Outside the app's router, so given its own request ids and metrics.
            router = router.nest(emulator::PREFIX, emu.router().layer(axum::middleware::from_fn(crate::api::observe::observe)));
        }
        let (stopping, live) = (state.stopping.clone(), state.events.clone());
        let server = tokio::spawn(async move {
            let shutdown = async move {
                stopping.stopped().await;
                // Event streams never end by themselves: ended, browsers reconnect to another instance.
                live.close();
            };
            let service = router.into_make_service_with_connect_info::<SocketAddr>();
            if let Err(err) = axum::serve(listener, service).with_graceful_shutdown(shutdown).await {
                tracing::error!(error = %err, "server stopped with an error");
            }
        });
        let mut tasks = bootstrap::spawn_background(&state);
        let metrics_addr = metrics_listener.as_ref().map(|m| m.addr);
        tasks.extend(metrics_listener.map(metrics::Listener::serve));
        tasks.push(tokio::spawn({
            let stopping = state.stopping.clone();
            async move {
                shutdown_signal().await;
                tracing::info!("stop asked (SIGTERM or Ctrl-C)");
                stopping.stop();
            }
        }));
        tracing::info!(%addr, public_base_url = %state.public_base_url, emulator = emulator.is_some(), "infograph is listening");
        Ok(Self { addr, base_url: local, state, metrics_addr, server: Some(server), tasks })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Serves until SIGTERM or Ctrl-C, then stops gracefully (see [`Application::stop`]).
    pub async fn run_until_stopped(self) {
        self.state.stopping.stopped().await;
        self.shut_down().await;
    }

    /// A graceful stop, as on SIGTERM: no new connections (and `/api/ready/` says so), event
    /// streams end so browsers reconnect elsewhere, requests and claimed work in hand finish
    /// within `SHUTDOWN_GRACE_SECS`, leases still held are given back, the database is flushed.
    pub async fn stop(self) {
        self.state.stopping.stop();
        self.shut_down().await;
    }

    async fn shut_down(mut self) {
        let grace = self.state.config.shutdown_grace;
        let started = std::time::Instant::now();
        tracing::info!(grace_secs = grace.as_secs(), "stopping: finishing requests and work in hand");
        let requests = finish_requests(self.server.take(), grace);
        let work = self.state.stopping.drained(grace);
        let (requests_done, work_done) = tokio::join!(requests, work);
        for task in &self.tasks {
            task.abort();
        }
        crate::server::jobs::worker::release_leases(&self.state).await;
        self.state.db.close().await;
        tracing::info!(requests_done, work_done, took_ms = started.elapsed().as_millis() as u64, "stopped");
    }
}

/// Waits for the server's graceful end (in-flight requests answered), cutting what is left after
/// `grace`; `false` when it had to.
async fn finish_requests(server: Option<tokio::task::JoinHandle<()>>, grace: Duration) -> bool {
    let Some(server) = server else { return true };
    let cut = server.abort_handle();
    match tokio::time::timeout(grace, server).await {
        Ok(_) => true,
        Err(_) => {
            tracing::warn!("requests still running after the grace period were cut");
            cut.abort();
            false
        }
    }
}

impl Drop for Application {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        if let Some(server) = &self.server {
            server.abort();
        }
    }
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

/// Initialises logging from `RUST_LOG` (default `info`), as text or, with `LOG_FORMAT=json`, one
/// JSON object a line whose `spans` carry the request's `request_id`.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,hyper=warn"));
    // Colours only for a person at a terminal, never into a file or the journal.
    let colours = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(colours);
    let _ = match LogFormat::from_env() {
        LogFormat::Json => logs.json().try_init(),
        LogFormat::Text => logs.try_init(),
    };
}

/// `infograph fal-emulator`: the emulator alone, for pointing `FAL_QUEUE_URL` / `FAL_JWKS_URL` at;
/// it serves only callers presenting `key` (the apps' `FAL_KEY`). Port 0 in `addr` picks a free
/// port; the address it got is printed on stdout.
pub async fn serve_emulator(addr: SocketAddr, delay: Duration, key: String) -> Result<(), StartupError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| StartupError::Listen(addr, e))?;
    let bound = listener.local_addr().map_err(|e| StartupError::Listen(addr, e))?;
    let base = loopback_url(bound);
    let emu = Emulator::new(base.clone(), base.clone(), key, delay, crate::server::platform::http::client()?);
    tracing::info!(queue = %emu.queue_url(), jwks = %emu.jwks_url(), "fal emulator listening");
    // Like `serve`'s line: with port 0 in `addr`, this is how callers learn the port it got.
    println!("The fal emulator is running on {base}");
    axum::serve(listener, emu.router())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| StartupError::Listen(bound, e))
}

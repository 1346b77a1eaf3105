//! The running service: binds the listener, builds the state and the router, mounts the fal
//! emulator when there is no `FAL_KEY`, and starts the background tasks. `main` and the tests use
//! the same door, [`Application::build`].

use crate::server::fal::emulator::{self, Emulator};
use crate::server::platform::bootstrap::{self, StartupError};
use crate::server::platform::config::Config;
use crate::server::platform::state::AppState;
use std::net::SocketAddr;
use std::time::Duration;

/// A server that is listening, with its background tasks running.
pub struct Application {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:{port}`: where this process answers (tests and logs).
    pub base_url: String,
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
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
        let listener = tokio::net::TcpListener::bind(config.site_addr)
            .await
            .map_err(|e| StartupError::Listen(config.site_addr, e))?;
        let addr = listener.local_addr().map_err(|e| StartupError::Listen(config.site_addr, e))?;
        let local = loopback_url(addr);
        let bootstrap::Services { state, emulator } = bootstrap::build(config, addr, &local).await?;
        let mut router = crate::api::router::router(state.clone());
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
        let tasks = bootstrap::spawn_background(&state);
        tracing::info!(%addr, public_base_url = %state.public_base_url, emulator = emulator.is_some(), "infograph is listening");
        Ok(Self { addr, base_url: local, state, shutdown: Some(tx), server: Some(server), tasks })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Waits until the HTTP server stops (Ctrl-C / SIGTERM).
    pub async fn run_until_stopped(mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    /// A graceful stop: open streams end, the server finishes, background tasks are aborted.
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

/// Initialises logging from `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,hyper=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
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

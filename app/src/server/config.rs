//! Configuration from environment variables, with defaults that work on a laptop.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// A secret that never prints: `Debug` and `Display` are redacted so it cannot reach a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct FalConfig {
    /// `None` means: no real fal account, serve and use the built-in emulator.
    pub key: Option<Secret>,
    /// Explicit queue/JWKS URLs; `None` means the default for the mode (fal.ai or the emulator).
    pub queue_url: Option<String>,
    pub jwks_url: Option<String>,
    pub model: String,
    /// Base delay of the submit retry backoff (doubled each try, ±25 % jitter).
    pub retry_base: Duration,
    pub max_attempts: u32,
}

impl FalConfig {
    pub fn uses_emulator(&self) -> bool {
        self.key.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub site_addr: SocketAddr,
    pub site_root: String,
    /// What webhook URLs (and emulator file URLs) are built from; default `http://{bound address}`.
    pub public_base_url: Option<String>,
    pub fal: FalConfig,
    pub signup_credits: i64,
    pub emulator_delay: Duration,
    pub reconcile_after: Duration,
    pub job_timeout: Duration,
    /// How long a worker owns a claimed job; `None` derives it from the fetch and fal timeouts.
    pub job_lease: Option<Duration>,
    pub worker_concurrency: usize,
    /// Test-only: exact non-public `address:port`s the blog fetcher may reach (a loopback fixture
    /// site). Empty by default: in production nothing private is reachable.
    pub fetch_allow: Vec<SocketAddr>,
    pub fetch_timeout: Duration,
    pub fetch_max_bytes: usize,
    /// Character budget of the brief sent to the model.
    pub prompt_max_chars: usize,
    /// Creates per user per minute (0: unlimited).
    pub create_per_minute: u32,
    /// Sign-up / sign-in / token requests per client IP per minute (0: unlimited).
    pub auth_per_minute: u32,
    /// Header carrying the client IP, set by a trusted reverse proxy (e.g. `X-Forwarded-For`).
    pub trusted_proxy_header: Option<String>,
    /// How often a running job's fal status is polled for its queue position (0: never).
    pub progress_poll: Duration,
    /// Progress polls in flight at once per instance.
    pub progress_poll_max: usize,
    /// Open live-update streams per user and instance; beyond it the browser polls.
    pub event_streams_per_user: usize,
}

pub const DEFAULT_FAL_QUEUE_URL: &str = "https://queue.fal.run";
pub const DEFAULT_FAL_JWKS_URL: &str = "https://rest.alpha.fal.ai/.well-known/jwks.json";
pub const DEFAULT_FAL_MODEL: &str = "fal-ai/nano-banana-pro";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn parsed<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match var(name) {
        None => Ok(default),
        Some(raw) => raw.parse().map_err(|_| format!("{name}: cannot parse {raw:?}")),
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/infograph.db".into(),
            site_addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            site_root: "target/site".into(),
            public_base_url: None,
            fal: FalConfig {
                key: None,
                queue_url: None,
                jwks_url: None,
                model: DEFAULT_FAL_MODEL.into(),
                retry_base: Duration::from_millis(1000),
                max_attempts: 3,
            },
            signup_credits: 10,
            emulator_delay: Duration::from_millis(4000),
            reconcile_after: Duration::from_secs(60),
            job_timeout: Duration::from_secs(30 * 60),
            job_lease: None,
            worker_concurrency: 8,
            fetch_allow: Vec::new(),
            fetch_timeout: Duration::from_secs(10),
            fetch_max_bytes: 3 * 1024 * 1024,
            prompt_max_chars: super::brief::DEFAULT_BUDGET,
            // Off until the product decides a per-user quota: a fixed default would turn bulk API
            // clients (and load tests) into 429s. Credits already bound what a user can spend.
            create_per_minute: 0,
            auth_per_minute: 120,
            trusted_proxy_header: None,
            progress_poll: Duration::from_millis(2000),
            progress_poll_max: 4,
            event_streams_per_user: 16,
        }
    }
}

impl Config {
    pub fn fetch_policy(&self) -> super::scrape::FetchPolicy {
        super::scrape::FetchPolicy {
            allow: self.fetch_allow.clone(),
            timeout: self.fetch_timeout,
            max_bytes: self.fetch_max_bytes,
        }
    }

    /// Reads every variable documented in the README; unknown or unparsable values are errors,
    /// not silent defaults.
    pub fn from_env() -> Result<Self, String> {
        let d = Self::default();
        let secs = |name: &str, default: Duration| -> Result<Duration, String> {
            parsed(name, default.as_secs()).map(Duration::from_secs)
        };
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or(d.database_url),
            site_addr: parsed("LEPTOS_SITE_ADDR", d.site_addr)?,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or(d.site_root),
            public_base_url: var("PUBLIC_BASE_URL").map(|u| u.trim_end_matches('/').to_string()),
            fal: FalConfig {
                key: var("FAL_KEY").map(Secret::new),
                queue_url: var("FAL_QUEUE_URL").map(|u| u.trim_end_matches('/').to_string()),
                jwks_url: var("FAL_JWKS_URL"),
                model: var("FAL_MODEL").unwrap_or(d.fal.model),
                retry_base: Duration::from_millis(parsed("FAL_RETRY_BASE_MS", 1000u64)?),
                max_attempts: parsed("FAL_MAX_ATTEMPTS", d.fal.max_attempts)?.max(1),
            },
            signup_credits: parsed("SIGNUP_CREDITS", d.signup_credits)?.max(0),
            emulator_delay: Duration::from_millis(parsed(
                "FAL_EMULATOR_DELAY_MS",
                d.emulator_delay.as_millis() as u64,
            )?),
            reconcile_after: secs("RECONCILE_AFTER_SECS", d.reconcile_after)?,
            job_timeout: secs("JOB_TIMEOUT_SECS", d.job_timeout)?,
            job_lease: var("JOB_LEASE_SECS")
                .map(|v| v.parse::<u64>().map(Duration::from_secs).map_err(|_| format!("JOB_LEASE_SECS: cannot parse {v:?}")))
                .transpose()?,
            worker_concurrency: parsed("WORKER_CONCURRENCY", d.worker_concurrency)?.max(1),
            fetch_allow: var("FETCH_ALLOW_ADDRS")
                .map(|v| {
                    v.split(',')
                        .map(|a| a.trim().parse().map_err(|_| format!("FETCH_ALLOW_ADDRS: {a:?} is not address:port")))
                        .collect::<Result<Vec<SocketAddr>, String>>()
                })
                .transpose()?
                .unwrap_or_default(),
            fetch_timeout: secs("FETCH_TIMEOUT_SECS", d.fetch_timeout)?,
            fetch_max_bytes: parsed("FETCH_MAX_BYTES", d.fetch_max_bytes)?,
            prompt_max_chars: parsed("PROMPT_MAX_CHARS", d.prompt_max_chars)?.max(500),
            create_per_minute: parsed("CREATE_RATE_PER_MINUTE", d.create_per_minute)?,
            auth_per_minute: parsed("AUTH_RATE_PER_MINUTE", d.auth_per_minute)?,
            trusted_proxy_header: var("TRUSTED_PROXY_HEADER").map(|h| h.to_ascii_lowercase()),
            progress_poll: Duration::from_millis(parsed("PROGRESS_POLL_MS", d.progress_poll.as_millis() as u64)?),
            progress_poll_max: parsed("PROGRESS_POLL_MAX", d.progress_poll_max)?.max(1),
            event_streams_per_user: parsed("EVENT_STREAMS_PER_USER", d.event_streams_per_user)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let config = Config {
            fal: FalConfig { key: Some(Secret::new("fal-secret-123")), ..Config::default().fal },
            ..Config::default()
        };
        let printed = format!("{config:?}");
        assert!(!printed.contains("fal-secret-123"), "{printed}");
        assert!(printed.contains("Secret(***)"));
    }

    #[test]
    fn defaults_work_locally() {
        let c = Config::default();
        assert_eq!(c.database_url, "sqlite://data/infograph.db");
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.signup_credits, 10);
        assert!(c.fal.uses_emulator());
        assert!(c.fetch_allow.is_empty());
    }
}

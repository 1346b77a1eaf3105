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
    /// Where local files live (stored images, the email outbox); `None` derives it (see [`Config::data_dir`]).
    pub data_dir: Option<std::path::PathBuf>,
    pub storage: StorageConfig,
    pub email: EmailConfig,
    /// How often a running job's fal status is polled for its queue position (0: never).
    pub progress_poll: Duration,
    /// Progress polls in flight at once per instance.
    pub progress_poll_max: usize,
    /// Open live-update streams per user and instance; beyond it the browser polls.
    pub event_streams_per_user: usize,
    /// How often an open event stream re-checks its session or token (sign-out ends it).
    pub event_stream_recheck: Duration,
}

/// Our own copy of generated images (see `server::storage`).
#[derive(Debug, Clone)]
pub struct StorageConfig {
    /// `s3://bucket/prefix` selects S3-compatible storage; `None` the local filesystem.
    pub url: Option<String>,
    /// S3 endpoint for R2 / MinIO / moto (`AWS_ENDPOINT`); `None` is AWS itself.
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<Secret>,
    /// `AWS_ALLOW_HTTP`: plain-HTTP endpoints (a local MinIO or moto).
    pub s3_allow_http: bool,
    /// Largest image we copy (`STORAGE_MAX_BYTES`).
    pub max_bytes: usize,
    /// Longest edge of the gallery thumbnail (`THUMBNAIL_EDGE`).
    pub thumbnail_edge: u32,
    pub max_attempts: u32,
    /// First retry delay after a failed copy (doubles per attempt, capped at an hour).
    pub retry_base: Duration,
}

/// Job notifications by email (see `server::notify`).
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// `smtp://host:port`, `smtps://user:pass@host`; `None` writes `.eml` files to the outbox folder.
    pub smtp_url: Option<Secret>,
    pub from: String,
    pub max_attempts: u32,
    pub retry_base: Duration,
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
            // Ten create requests per user per minute (each may ask for up to four images):
            // generous for a person, a brake on a runaway script. 0 turns it off (load tests).
            create_per_minute: 10,
            auth_per_minute: 120,
            trusted_proxy_header: None,
            data_dir: None,
            storage: StorageConfig {
                url: None,
                s3_endpoint: None,
                s3_region: None,
                s3_access_key_id: None,
                s3_secret_access_key: None,
                s3_allow_http: false,
                max_bytes: 40 * 1024 * 1024,
                thumbnail_edge: 400,
                max_attempts: 8,
                retry_base: Duration::from_secs(5),
            },
            email: EmailConfig {
                smtp_url: None,
                from: "Infograph <noreply@localhost>".into(),
                max_attempts: 8,
                retry_base: Duration::from_secs(5),
            },
            progress_poll: Duration::from_millis(2000),
            progress_poll_max: 4,
            event_streams_per_user: 16,
            event_stream_recheck: Duration::from_secs(30),
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
            data_dir: var("DATA_DIR").map(std::path::PathBuf::from),
            storage: StorageConfig {
                url: var("STORAGE_URL"),
                s3_endpoint: var("AWS_ENDPOINT").or_else(|| var("AWS_ENDPOINT_URL")),
                s3_region: var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")),
                s3_access_key_id: var("AWS_ACCESS_KEY_ID"),
                s3_secret_access_key: var("AWS_SECRET_ACCESS_KEY").map(Secret::new),
                s3_allow_http: parsed("AWS_ALLOW_HTTP", d.storage.s3_allow_http)?,
                max_bytes: parsed("STORAGE_MAX_BYTES", d.storage.max_bytes)?,
                thumbnail_edge: parsed("THUMBNAIL_EDGE", d.storage.thumbnail_edge)?.clamp(32, 2048),
                max_attempts: parsed("STORAGE_MAX_ATTEMPTS", d.storage.max_attempts)?.max(1),
                retry_base: secs("STORAGE_RETRY_BASE_SECS", d.storage.retry_base)?,
            },
            email: EmailConfig {
                smtp_url: var("SMTP_URL").map(Secret::new),
                from: var("SMTP_FROM").unwrap_or(d.email.from),
                max_attempts: parsed("EMAIL_MAX_ATTEMPTS", d.email.max_attempts)?.max(1),
                retry_base: secs("EMAIL_RETRY_BASE_SECS", d.email.retry_base)?,
            },
            progress_poll: Duration::from_millis(parsed("PROGRESS_POLL_MS", d.progress_poll.as_millis() as u64)?),
            progress_poll_max: parsed("PROGRESS_POLL_MAX", d.progress_poll_max)?.max(1),
            event_streams_per_user: parsed("EVENT_STREAMS_PER_USER", d.event_streams_per_user)?,
            event_stream_recheck: d.event_stream_recheck,
        })
    }

    /// `DATA_DIR`, else the folder of a SQLite database (so a throwaway database brings its own
    /// data folder), else `data`.
    pub fn data_dir(&self) -> std::path::PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        let sqlite_file = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))
            .map(|rest| rest.split('?').next().unwrap_or_default());
        match sqlite_file.map(std::path::Path::new).and_then(std::path::Path::parent) {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => std::path::PathBuf::from("data"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let config = Config {
            fal: FalConfig { key: Some(Secret::new("fal-secret-123")), ..Config::default().fal },
            storage: StorageConfig {
                s3_secret_access_key: Some(Secret::new("aws-secret-456")),
                ..Config::default().storage
            },
            email: EmailConfig {
                smtp_url: Some(Secret::new("smtps://me:smtp-pass-789@mail.example")),
                ..Config::default().email
            },
            ..Config::default()
        };
        let printed = format!("{config:?}");
        for secret in ["fal-secret-123", "aws-secret-456", "smtp-pass-789"] {
            assert!(!printed.contains(secret), "{printed}");
        }
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
        assert_eq!(c.data_dir(), std::path::PathBuf::from("data"));
        assert!(c.storage.url.is_none() && c.email.smtp_url.is_none());
    }

    #[test]
    fn data_dir_follows_a_sqlite_database() {
        let c = Config { database_url: "sqlite:///tmp/x/app.db?mode=rwc".into(), ..Config::default() };
        assert_eq!(c.data_dir(), std::path::PathBuf::from("/tmp/x"));
        let c = Config { database_url: "postgres://db/infograph".into(), ..Config::default() };
        assert_eq!(c.data_dir(), std::path::PathBuf::from("data"));
        let c = Config { data_dir: Some("/srv/infograph".into()), ..Config::default() };
        assert_eq!(c.data_dir(), std::path::PathBuf::from("/srv/infograph"));
    }
}

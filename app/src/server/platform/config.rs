//! Configuration: every setting is declared once, below, with its environment variable, its
//! default (one that works on a laptop) and its meaning. `clap` reads them (from the environment
//! for `infograph serve`; `infograph serve --help` lists them all); [`Config::default`] is the
//! same table without the environment, for tests.

use clap::{Args, CommandFactory, FromArgMatches, Parser};
use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::num::ParseIntError;
use std::path::PathBuf;
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

/// A setting that could not be read: its name and why.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

// clap's value parsers for the types and spellings below.
fn secret(raw: &str) -> Result<Secret, Infallible> {
    Ok(Secret::new(raw.trim()))
}

fn millis(raw: &str) -> Result<Duration, ParseIntError> {
    raw.trim().parse().map(Duration::from_millis)
}

fn secs(raw: &str) -> Result<Duration, ParseIntError> {
    raw.trim().parse().map(Duration::from_secs)
}

/// `FAL_EMULATOR`: a yes or a no, never a guess (a mistyped value must not pick the mode).
fn emulator_flag(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err("FAL_EMULATOR must be true or false".into()),
    }
}

fn base_url(raw: &str) -> Result<String, Infallible> {
    Ok(raw.trim().trim_end_matches('/').to_string())
}

fn trimmed(raw: &str) -> Result<String, Infallible> {
    Ok(raw.trim().to_string())
}

fn lowercase(raw: &str) -> Result<String, Infallible> {
    Ok(raw.trim().to_ascii_lowercase())
}

pub const DEFAULT_FAL_QUEUE_URL: &str = "https://queue.fal.run";
pub const DEFAULT_FAL_JWKS_URL: &str = "https://rest.alpha.fal.ai/.well-known/jwks.json";
pub const DEFAULT_FAL_MODEL: &str = "fal-ai/nano-banana-pro";
/// Character budget of the brief sent to the model.
pub const DEFAULT_PROMPT_BUDGET: usize = 6000;

#[derive(Debug, Clone, Args)]
pub struct FalConfig {
    /// fal.ai API key. Required unless FAL_EMULATOR=true.
    #[arg(id = "fal_key", value_name = "FAL_KEY", long = "fal-key", env = "FAL_KEY", value_parser = secret, hide_env_values = true)]
    pub key: Option<Secret>,
    /// Draw with the built-in fal emulator instead of fal.ai (development, tests, the offline
    /// demo). Never implied: without it and without FAL_KEY the server refuses to start.
    #[arg(id = "fal_emulator", value_name = "FAL_EMULATOR", long = "fal-emulator", env = "FAL_EMULATOR", action = clap::ArgAction::SetTrue,
        value_parser = emulator_flag)]
    pub emulator: bool,
    /// fal's queue; default https://queue.fal.run, or the built-in emulator's.
    #[arg(long = "fal-queue-url", env = "FAL_QUEUE_URL", value_parser = base_url)]
    pub queue_url: Option<String>,
    /// The JWKS that webhook signatures are checked against; default fal's, or the emulator's.
    #[arg(long = "fal-jwks-url", env = "FAL_JWKS_URL")]
    pub jwks_url: Option<String>,
    #[arg(long = "fal-model", env = "FAL_MODEL", default_value = DEFAULT_FAL_MODEL)]
    pub model: String,
    /// Our fal account's user id: a webhook whose signed `X-Fal-Webhook-User-Id` differs is
    /// refused (fal's JWKS signs every fal customer's webhooks). It is that header on any webhook
    /// fal sends you, also shown in fal's dashboard. Unset: not checked, except with the emulator,
    /// whose user id is then expected.
    #[arg(long = "fal-webhook-user-id", env = "FAL_WEBHOOK_USER_ID", value_parser = trimmed)]
    pub webhook_user_id: Option<String>,
    /// Base delay of the submit retry backoff (doubled each try, ±25 % jitter), in ms.
    #[arg(id = "fal_retry_base", value_name = "FAL_RETRY_BASE", long = "fal-retry-base-ms", env = "FAL_RETRY_BASE_MS", default_value = "1000", value_parser = millis)]
    pub retry_base: Duration,
    #[arg(id = "fal_max_attempts", value_name = "FAL_MAX_ATTEMPTS", long = "fal-max-attempts", env = "FAL_MAX_ATTEMPTS", default_value_t = 3,
        value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attempts: u32,
}

impl FalConfig {
    /// Whether the built-in emulator is mounted and used: only when asked for (`FAL_EMULATOR`).
    pub fn uses_emulator(&self) -> bool {
        self.emulator
    }
}

/// Our own copy of generated images (see `server::delivery::storage`).
#[derive(Debug, Clone, Args)]
pub struct StorageConfig {
    /// `s3://bucket/prefix` selects S3-compatible storage; unset: the local filesystem.
    #[arg(id = "storage_url", value_name = "STORAGE_URL", long = "storage-url", env = "STORAGE_URL")]
    pub url: Option<String>,
    /// S3 endpoint for R2 / MinIO / moto (also read from AWS_ENDPOINT_URL); unset: AWS itself.
    #[arg(long = "aws-endpoint", env = "AWS_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// Also read from AWS_DEFAULT_REGION.
    #[arg(long = "aws-region", env = "AWS_REGION")]
    pub s3_region: Option<String>,
    #[arg(long = "aws-access-key-id", env = "AWS_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,
    #[arg(long = "aws-secret-access-key", env = "AWS_SECRET_ACCESS_KEY", value_parser = secret, hide_env_values = true)]
    pub s3_secret_access_key: Option<Secret>,
    /// Plain-HTTP S3 endpoints (a local MinIO or moto).
    #[arg(long = "aws-allow-http", env = "AWS_ALLOW_HTTP", default_value_t = false, action = clap::ArgAction::Set)]
    pub s3_allow_http: bool,
    /// Largest image we copy, in bytes.
    #[arg(long = "storage-max-bytes", env = "STORAGE_MAX_BYTES", default_value_t = 40 * 1024 * 1024)]
    pub max_bytes: usize,
    /// Longest edge of the gallery thumbnail, in pixels.
    #[arg(long = "thumbnail-edge", env = "THUMBNAIL_EDGE", default_value_t = 400,
        value_parser = clap::value_parser!(u32).range(32..=2048))]
    pub thumbnail_edge: u32,
    #[arg(id = "storage_max_attempts", value_name = "STORAGE_MAX_ATTEMPTS", long = "storage-max-attempts", env = "STORAGE_MAX_ATTEMPTS", default_value_t = 8,
        value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attempts: u32,
    /// First retry delay after a failed copy (doubles per attempt, capped at an hour), in seconds.
    #[arg(id = "storage_retry_base", value_name = "STORAGE_RETRY_BASE", long = "storage-retry-base-secs", env = "STORAGE_RETRY_BASE_SECS", default_value = "5", value_parser = secs)]
    pub retry_base: Duration,
}

/// Emails (see `server::delivery::email`).
#[derive(Debug, Clone, Args)]
pub struct EmailConfig {
    /// `smtp://host:port`, `smtps://user:pass@host`; unset: `.eml` files in the outbox folder.
    #[arg(long = "smtp-url", env = "SMTP_URL", value_parser = secret, hide_env_values = true)]
    pub smtp_url: Option<Secret>,
    #[arg(long = "smtp-from", env = "SMTP_FROM", default_value = "Infograph <noreply@localhost>")]
    pub from: String,
    #[arg(id = "email_max_attempts", value_name = "EMAIL_MAX_ATTEMPTS", long = "email-max-attempts", env = "EMAIL_MAX_ATTEMPTS", default_value_t = 8,
        value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attempts: u32,
    #[arg(id = "email_retry_base", value_name = "EMAIL_RETRY_BASE", long = "email-retry-base-secs", env = "EMAIL_RETRY_BASE_SECS", default_value = "5", value_parser = secs)]
    pub retry_base: Duration,
}

/// One credit pack for sale: so many credits for so much (in the currency's smallest unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditPack {
    pub credits: i64,
    pub amount: i64,
}

/// The packs for sale, smallest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditPacks(pub Vec<CreditPack>);

impl CreditPacks {
    /// The pack a buyer names by its credits (`"50"`).
    pub fn find(&self, id: &str) -> Option<CreditPack> {
        let credits: i64 = id.trim().parse().ok()?;
        self.0.iter().copied().find(|p| p.credits == credits)
    }
}

/// `credits:price,credits:price`, e.g. `10:500,50:2000`: positive whole numbers, each pack's
/// credits once.
fn credit_packs(raw: &str) -> Result<CreditPacks, String> {
    let mut packs = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (credits, amount) = item.split_once(':').ok_or_else(|| format!("{item:?} is not credits:price"))?;
        let number = |n: &str| n.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| format!("{n:?} in {item:?} is not a positive whole number"));
        let pack = CreditPack { credits: number(credits)?, amount: number(amount)? };
        if packs.iter().any(|p: &CreditPack| p.credits == pack.credits) {
            return Err(format!("two packs of {} credits", pack.credits));
        }
        packs.push(pack);
    }
    if packs.is_empty() {
        return Err("no pack".into());
    }
    packs.sort_by_key(|p| p.credits);
    Ok(CreditPacks(packs))
}

fn currency(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_lowercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_lowercase()) {
        Ok(code)
    } else {
        Err(format!("{raw:?} is not a three-letter currency code"))
    }
}

/// Selling credits through Stripe (see `server::billing::purchases`). Without the three keys the
/// billing page says purchases are not configured and nothing else changes.
#[derive(Debug, Clone, Args)]
pub struct BillingConfig {
    /// Packs for sale: `credits:price` pairs, the price in the currency's smallest unit (cents).
    #[arg(long = "credit-packs", env = "CREDIT_PACKS", default_value = "10:500,50:2000,200:6000", value_parser = credit_packs)]
    pub packs: CreditPacks,
    #[arg(long = "credit-currency", env = "CREDIT_CURRENCY", default_value = "usd", value_parser = currency)]
    pub currency: String,
    /// Stripe's secret API key (`sk_…`); unset: no purchases.
    #[arg(long = "stripe-secret-key", env = "STRIPE_SECRET_KEY", value_parser = secret, hide_env_values = true)]
    pub secret_key: Option<Secret>,
    /// Stripe's publishable key (`pk_…`), given to Stripe.js in the browser.
    #[arg(long = "stripe-publishable-key", env = "STRIPE_PUBLISHABLE_KEY", value_parser = trimmed)]
    pub publishable_key: Option<String>,
    /// The signing secret of the webhook endpoint registered at Stripe (`whsec_…`).
    #[arg(long = "stripe-webhook-secret", env = "STRIPE_WEBHOOK_SECRET", value_parser = secret, hide_env_values = true)]
    pub webhook_secret: Option<Secret>,
    /// Stripe's API (tests: a localstripe server).
    #[arg(long = "stripe-api-base", env = "STRIPE_API_BASE", default_value = "https://api.stripe.com", value_parser = base_url)]
    pub api_base: String,
    /// Where the browser loads Stripe.js from (tests: localstripe's stand-in).
    #[arg(long = "stripe-js-url", env = "STRIPE_JS_URL", default_value = "https://js.stripe.com/v3/", value_parser = trimmed)]
    pub js_url: String,
    /// A purchase still pending after this long is looked up at Stripe (a lost webhook), in seconds.
    #[arg(id = "billing_reconcile_after", value_name = "BILLING_RECONCILE_AFTER", long = "billing-reconcile-after-secs", env = "BILLING_RECONCILE_AFTER_SECS", default_value = "300", value_parser = secs)]
    pub reconcile_after: Duration,
}

impl BillingConfig {
    /// Whether purchases can be made: all three Stripe keys are set.
    pub fn configured(&self) -> bool {
        self.secret_key.is_some() && self.publishable_key.is_some() && self.webhook_secret.is_some()
    }
}

#[derive(Debug, Clone, Parser)]
#[command(name = "infograph", about = "Infograph's settings")]
pub struct Config {
    /// `sqlite://PATH` (SQLite, WAL) or `postgres://…`.
    #[arg(long = "database-url", env = "DATABASE_URL", default_value = "sqlite://data/infograph.db")]
    pub database_url: String,
    #[arg(long = "site-addr", env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,
    /// Where the built site (pkg/, public files) is.
    #[arg(long = "site-root", env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// What webhook URLs (and emulator file URLs) are built from; default `http://{bound address}`.
    #[arg(long = "public-base-url", env = "PUBLIC_BASE_URL", value_parser = base_url)]
    pub public_base_url: Option<String>,
    #[command(flatten)]
    pub fal: FalConfig,
    /// Credits a new account starts with.
    #[arg(long = "signup-credits", env = "SIGNUP_CREDITS", default_value_t = 10,
        value_parser = clap::value_parser!(i64).range(0..))]
    pub signup_credits: i64,
    /// How long each emulated fal job takes, in ms.
    #[arg(long = "fal-emulator-delay-ms", env = "FAL_EMULATOR_DELAY_MS", default_value = "4000", value_parser = millis)]
    pub emulator_delay: Duration,
    /// A `processing` job without a webhook for this long is polled at fal, in seconds.
    #[arg(long = "reconcile-after-secs", env = "RECONCILE_AFTER_SECS", default_value = "60", value_parser = secs)]
    pub reconcile_after: Duration,
    /// A job not final after this long fails and is refunded, in seconds.
    #[arg(long = "job-timeout-secs", env = "JOB_TIMEOUT_SECS", default_value = "1800", value_parser = secs)]
    pub job_timeout: Duration,
    /// How long a worker owns a claimed job, in seconds; unset: derived from the fetch and fal timeouts.
    #[arg(long = "job-lease-secs", env = "JOB_LEASE_SECS", value_parser = secs)]
    pub job_lease: Option<Duration>,
    /// Jobs prepared and submitted at once per instance.
    #[arg(long = "worker-concurrency", env = "WORKER_CONCURRENCY", default_value_t = 8,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub worker_concurrency: usize,
    /// On SIGTERM, how long requests and claimed work in hand may take to finish, in seconds
    /// (give the process manager a little more before it kills: systemd's TimeoutStopSec).
    #[arg(long = "shutdown-grace-secs", env = "SHUTDOWN_GRACE_SECS", default_value = "25", value_parser = secs)]
    pub shutdown_grace: Duration,
    /// Test-only: exact non-public `address:port`s the blog fetcher may reach (a loopback fixture
    /// site), comma-separated. Empty by default: in production nothing private is reachable.
    #[arg(long = "fetch-allow-addrs", env = "FETCH_ALLOW_ADDRS", value_delimiter = ',')]
    pub fetch_allow: Vec<SocketAddr>,
    #[arg(long = "fetch-timeout-secs", env = "FETCH_TIMEOUT_SECS", default_value = "10", value_parser = secs)]
    pub fetch_timeout: Duration,
    #[arg(long = "fetch-max-bytes", env = "FETCH_MAX_BYTES", default_value_t = 3 * 1024 * 1024)]
    pub fetch_max_bytes: usize,
    /// A language model (any OpenRouter id, e.g. `google/gemini-2.5-flash`) that writes outlines
    /// through fal's `openrouter/router`; unset: the built-in heuristic outline.
    #[arg(long = "outline-model", env = "OUTLINE_MODEL", value_parser = trimmed)]
    pub outline_model: Option<String>,
    /// The vision model (any OpenRouter id) that reads each picture back through fal's
    /// `openrouter/router/vision`, to proofread it.
    #[arg(long = "proofread-model", env = "PROOFREAD_MODEL", default_value = "google/gemini-2.5-flash", value_parser = trimmed)]
    pub proofread_model: String,
    /// A read-back not back after this long ends "not proofread", in seconds.
    #[arg(long = "proofread-timeout-secs", env = "PROOFREAD_TIMEOUT_SECS", default_value = "300", value_parser = secs)]
    pub proofread_timeout: Duration,
    /// A model catalogue (JSON, the format of docs/models.md) replacing the built-in one.
    #[arg(long = "models-file", env = "MODELS_FILE")]
    pub models_file: Option<PathBuf>,
    /// Credits "Make the text editable" costs (fal's layerize-text costs about a 1K image).
    #[arg(long = "layers-credits", env = "LAYERS_CREDITS", default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..))]
    pub layers_credits: i64,
    /// Character budget of the brief sent to the model.
    #[arg(long = "prompt-max-chars", env = "PROMPT_MAX_CHARS", default_value_t = DEFAULT_PROMPT_BUDGET,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(500..))]
    pub prompt_max_chars: usize,
    /// Creates per user per minute (0: unlimited). Ten requests (each up to four images) is
    /// generous for a person and a brake on a runaway script.
    #[arg(long = "create-rate-per-minute", env = "CREATE_RATE_PER_MINUTE", default_value_t = 10)]
    pub create_per_minute: u32,
    /// Sign-up / sign-in / token requests per client IP per minute (0: unlimited).
    #[arg(long = "auth-rate-per-minute", env = "AUTH_RATE_PER_MINUTE", default_value_t = 120)]
    pub auth_per_minute: u32,
    /// New accounts per client IP (IPv6: per /64) per hour (0: unlimited): sign-ups are what free
    /// credits are farmed with.
    #[arg(long = "signup-rate-per-hour", env = "SIGNUP_RATE_PER_HOUR", default_value_t = 5)]
    pub signup_per_hour: u32,
    /// The key that signs verification links; unset: one generated on first start and kept in
    /// the database, shared by every instance.
    #[arg(long = "signing-key", env = "SIGNING_KEY", value_parser = secret, hide_env_values = true)]
    pub signing_key: Option<Secret>,
    /// Force the session cookie's `Secure` flag (behind a TLS-terminating proxy); unset: on when
    /// `PUBLIC_BASE_URL` is https.
    #[arg(long = "cookie-secure", env = "COOKIE_SECURE", action = clap::ArgAction::Set)]
    pub cookie_secure: Option<bool>,
    /// Header carrying the client IP, set by a trusted reverse proxy (e.g. `X-Forwarded-For`).
    #[arg(long = "trusted-proxy-header", env = "TRUSTED_PROXY_HEADER", value_parser = lowercase)]
    pub trusted_proxy_header: Option<String>,
    /// Where local files live (stored images, the email outbox); unset: see [`Config::data_dir`].
    #[arg(long = "data-dir", env = "DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub storage: StorageConfig,
    #[command(flatten)]
    pub email: EmailConfig,
    #[command(flatten)]
    pub billing: BillingConfig,
    /// How often a running job's fal status is polled for its queue position, in ms (0: never).
    #[arg(long = "progress-poll-ms", env = "PROGRESS_POLL_MS", default_value = "2000", value_parser = millis)]
    pub progress_poll: Duration,
    /// Progress polls in flight at once per instance.
    #[arg(long = "progress-poll-max", env = "PROGRESS_POLL_MAX", default_value_t = 4,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub progress_poll_max: usize,
    /// Open live-update streams per user and instance; beyond it the browser polls.
    #[arg(long = "event-streams-per-user", env = "EVENT_STREAMS_PER_USER", default_value_t = 16)]
    pub event_streams_per_user: usize,
    /// Where `GET /metrics` (Prometheus text) is served, e.g. 127.0.0.1:9100: a listener of
    /// its own, never the public one. Unset: no metrics.
    #[arg(long = "metrics-addr", env = "METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Log lines as `text` or `json` (one object a line, for log shippers). Read from the
    /// environment when the process starts, before anything else.
    #[arg(long = "log-format", env = "LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// How often an open event stream re-checks its session or token (tests shorten it).
    #[arg(skip = Duration::from_secs(30))]
    pub event_stream_recheck: Duration,
}

impl Default for Config {
    /// Every default of the table above, ignoring the environment.
    fn default() -> Self {
        let command = Self::command().mut_args(|arg| arg.env(None::<&str>));
        command
            .try_get_matches_from(["infograph"])
            .and_then(|matches| Self::from_arg_matches(&matches))
            .unwrap_or_else(|e| unreachable!("the defaults parse: {e}"))
    }
}

fn env_alias(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

impl Config {
    /// Whether cookies carry `Secure`: forced by `COOKIE_SECURE`, else when we are served over https.
    pub fn cookie_secure(&self) -> bool {
        self.cookie_secure.unwrap_or_else(|| self.public_base_url.as_deref().is_some_and(|u| u.starts_with("https://")))
    }

    pub fn fetch_policy(&self) -> crate::server::blog::fetch::FetchPolicy {
        crate::server::blog::fetch::FetchPolicy {
            allow: self.fetch_allow.clone(),
            timeout: self.fetch_timeout,
            max_bytes: self.fetch_max_bytes,
        }
    }

    /// Reads every variable documented in docs/configuration.md; unparsable values are errors,
    /// not silent defaults. Empty variables count as unset.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_and_args(Vec::<String>::new())
    }

    /// [`Config::from_env`], with command-line flags (`--database-url …`) taking precedence.
    /// `--help` prints every setting and exits.
    pub fn from_env_and_args(args: impl IntoIterator<Item = String>) -> Result<Self, ConfigError> {
        let command = Self::command().name("infograph serve").mut_args(|arg| match arg.get_env().and_then(std::env::var_os) {
            Some(value) if value.to_string_lossy().trim().is_empty() => arg.env(None::<&str>),
            _ => arg,
        });
        let argv = std::iter::once("infograph serve".to_string()).chain(args);
        let matches = match command.try_get_matches_from(argv) {
            Ok(matches) => matches,
            Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp) => e.exit(),
            Err(e) => return Err(ConfigError(e.to_string())),
        };
        let mut config = Self::from_arg_matches(&matches).map_err(|e| ConfigError(e.to_string()))?;
        if config.log_format != LogFormat::from_env() {
            return Err(ConfigError("LOG_FORMAT is read when the process starts: set it in the environment, not as --log-format".into()));
        }
        // The AWS SDKs' other spellings of two settings.
        config.storage.s3_endpoint = config.storage.s3_endpoint.or_else(|| env_alias("AWS_ENDPOINT_URL"));
        config.storage.s3_region = config.storage.s3_region.or_else(|| env_alias("AWS_DEFAULT_REGION"));
        Ok(config)
    }

    /// `DATA_DIR`, else the folder of a SQLite database (so a throwaway database brings its own
    /// data folder), else `data`.
    pub fn data_dir(&self) -> PathBuf {
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
            _ => PathBuf::from("data"),
        }
    }
}

/// How log lines are written (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl LogFormat {
    /// `LOG_FORMAT` as the process found it, for the logger set up before the configuration is
    /// read; a value `serve` does not know reads as text here, and `serve` then refuses it.
    pub fn from_env() -> Self {
        match std::env::var("LOG_FORMAT").map(|v| v.trim().to_string()).as_deref() {
            Ok("json") => Self::Json,
            _ => Self::Text,
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
            billing: BillingConfig {
                secret_key: Some(Secret::new("sk_test_stripe-000")),
                webhook_secret: Some(Secret::new("whsec_hook-111")),
                ..Config::default().billing
            },
            ..Config::default()
        };
        let printed = format!("{config:?}");
        for secret in ["fal-secret-123", "aws-secret-456", "smtp-pass-789", "stripe-000", "hook-111"] {
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
        assert!(!c.fal.uses_emulator(), "the emulator is only ever asked for");
        assert!(c.fetch_allow.is_empty());
        assert_eq!(c.data_dir(), PathBuf::from("data"));
        assert!(c.storage.url.is_none() && c.email.smtp_url.is_none());
        assert_eq!(c.fal.retry_base, Duration::from_millis(1000));
        assert_eq!(c.job_timeout, Duration::from_secs(1800));
        assert_eq!(c.prompt_max_chars, DEFAULT_PROMPT_BUDGET);
        assert_eq!(c.event_stream_recheck, Duration::from_secs(30));
    }

    #[test]
    fn settings_parse_from_flags_like_from_the_environment() {
        let c = Config::try_parse_from([
            "infograph",
            "--fetch-allow-addrs",
            "127.0.0.1:1,127.0.0.1:2",
            "--public-base-url",
            "https://example.com/",
            "--trusted-proxy-header",
            "X-Forwarded-For",
            "--fal-max-attempts",
            "5",
        ])
        .expect("parses");
        assert_eq!(c.fetch_allow.len(), 2);
        assert_eq!(c.public_base_url.as_deref(), Some("https://example.com"));
        assert_eq!(c.trusted_proxy_header.as_deref(), Some("x-forwarded-for"));
        assert_eq!(c.fal.max_attempts, 5);
        assert!(Config::try_parse_from(["infograph", "--fal-emulator"]).expect("parses").fal.uses_emulator());
        assert!(Config::try_parse_from(["infograph", "--fal-max-attempts", "0"]).is_err());
        assert!(Config::try_parse_from(["infograph", "--job-timeout-secs", "soon"]).is_err());
    }

    #[test]
    fn credit_packs_parse_and_bad_ones_are_refused() {
        let c = Config::default();
        assert_eq!(c.billing.packs.0, vec![CreditPack { credits: 10, amount: 500 }, CreditPack { credits: 50, amount: 2000 }, CreditPack { credits: 200, amount: 6000 }]);
        assert_eq!(c.billing.currency, "usd");
        assert!(!c.billing.configured());
        assert_eq!(c.billing.packs.find(" 50"), Some(CreditPack { credits: 50, amount: 2000 }));
        assert_eq!(c.billing.packs.find("51"), None);
        let c = Config::try_parse_from(["infograph", "--credit-packs", "100:900, 5:99", "--credit-currency", "EUR"]).expect("parses");
        assert_eq!(c.billing.packs.0[0], CreditPack { credits: 5, amount: 99 });
        assert_eq!(c.billing.currency, "eur");
        for bad in ["", "10", "10:0", "-1:5", "10:5,10:6", "ten:5"] {
            assert!(Config::try_parse_from(["infograph", "--credit-packs", bad]).is_err(), "{bad:?}");
        }
        assert!(Config::try_parse_from(["infograph", "--credit-currency", "dollars"]).is_err());
    }

    #[test]
    fn data_dir_follows_a_sqlite_database() {
        let c = Config { database_url: "sqlite:///tmp/x/app.db?mode=rwc".into(), ..Config::default() };
        assert_eq!(c.data_dir(), PathBuf::from("/tmp/x"));
        let c = Config { database_url: "postgres://db/infograph".into(), ..Config::default() };
        assert_eq!(c.data_dir(), PathBuf::from("data"));
        let c = Config { data_dir: Some("/srv/infograph".into()), ..Config::default() };
        assert_eq!(c.data_dir(), PathBuf::from("/srv/infograph"));
    }

    #[test]
    fn metrics_are_off_and_logs_text_unless_set() {
        let c = Config::default();
        assert_eq!((c.metrics_addr, c.log_format), (None, LogFormat::Text));
        let c = Config::try_parse_from(["infograph", "--metrics-addr", "127.0.0.1:9100", "--log-format", "json"]).expect("parses");
        assert_eq!(c.metrics_addr, Some("127.0.0.1:9100".parse().expect("addr")));
        assert_eq!(c.log_format, LogFormat::Json);
        for bad in [["--metrics-addr", "9100"], ["--log-format", "xml"], ["--log-format", "JSON "]] {
            assert!(Config::try_parse_from(["infograph", bad[0], bad[1]]).is_err(), "{bad:?}");
        }
    }
}

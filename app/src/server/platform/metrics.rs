//! Metrics in the Prometheus text format, on their own listener (`METRICS_ADDR`; unset: none).
//!
//! The code records through the `metrics` facade with the small functions below, one line at
//! each call site; every name the process exports is a constant of [`name`] (the Grafana
//! dashboard in `deploy/` is checked against [`name::ALL`] by the tests). Until a listener is
//! started no recorder is installed and recording costs nothing. The recorder is global to the
//! process and installed once, however many servers a process starts (the tests start many).
//!
//! Counters and the latency histograms are recorded where things happen; the numbers that live
//! in the database (queue, backlogs) and the connection pools are sampled by one background task
//! every [`SAMPLE_EVERY`]. Every instance sharing a PostgreSQL database reports the same sampled
//! numbers: aggregate them with `max`, not `sum`.

use super::db::{now_ms, Db};
use axum::http::{Method, StatusCode};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

/// Every metric name this process exports, in one place.
pub mod name {
    /// Counter, labels `route` (the route template, `unmatched` when none), `method`, `status`.
    pub const HTTP_REQUESTS: &str = "infograph_http_requests_total";
    /// Histogram (seconds to the response head), labels `route`, `method`.
    pub const HTTP_DURATION: &str = "infograph_http_request_duration_seconds";
    /// Counter, label `to`: `processing`, `completed`, `failed`, `cancelled`.
    pub const JOB_TRANSITIONS: &str = "infograph_job_transitions_total";
    /// Gauge (sampled), labels `status` (`queued`, `processing`) and `phase`.
    pub const JOBS: &str = "infograph_jobs";
    /// Gauge (sampled): jobs waiting for a worker.
    pub const QUEUE_DEPTH: &str = "infograph_queue_depth";
    /// Gauge (sampled): age of the oldest job waiting for a worker, 0 when none waits.
    pub const QUEUE_OLDEST_AGE: &str = "infograph_queue_oldest_age_seconds";
    /// Histogram (seconds per attempt), labels `call` (`submit`, `status`, `result`, `cancel`), `outcome`.
    pub const FAL_DURATION: &str = "infograph_fal_request_duration_seconds";
    /// Counter, labels `call`, `kind` (`transport`, `unconfirmed`, `rate_limited`, `client_error`,
    /// `server_error`, `decode`).
    pub const FAL_ERRORS: &str = "infograph_fal_errors_total";
    /// Counter, label `kind` (`picture`, `proofread`).
    pub const WEBHOOKS_ACCEPTED: &str = "infograph_webhooks_accepted_total";
    /// Counter, labels `kind`, `reason`.
    pub const WEBHOOKS_REFUSED: &str = "infograph_webhooks_refused_total";
    /// Counter of credits given, label `reason` (`refund`, `purchase`, `signup`, `grant`).
    pub const CREDITS_ADDED: &str = "infograph_credits_added_total";
    /// Counter of credits taken, label `reason` (`debit`, `purchase_refund`, `grant`).
    pub const CREDITS_REMOVED: &str = "infograph_credits_removed_total";
    /// Gauge: event streams open on this instance.
    pub const SSE_CONNECTIONS: &str = "infograph_sse_connections";
    /// Gauge (sampled), labels `pool` (`read`, `write`), `state` (`in_use`, `idle`).
    pub const DB_CONNECTIONS: &str = "infograph_db_pool_connections";
    /// Gauge (sampled), label `outbox` (`jobs`, `accounts`): emails still to send.
    pub const EMAIL_BACKLOG: &str = "infograph_email_backlog";
    /// Gauge (sampled): completed pictures not yet copied to our storage.
    pub const COPIER_BACKLOG: &str = "infograph_copier_backlog";

    pub const ALL: &[&str] = &[
        HTTP_REQUESTS, HTTP_DURATION, JOB_TRANSITIONS, JOBS, QUEUE_DEPTH, QUEUE_OLDEST_AGE, FAL_DURATION, FAL_ERRORS,
        WEBHOOKS_ACCEPTED, WEBHOOKS_REFUSED, CREDITS_ADDED, CREDITS_REMOVED, SSE_CONNECTIONS, DB_CONNECTIONS,
        EMAIL_BACKLOG, COPIER_BACKLOG,
    ];
}

/// How often the sampled gauges are refreshed.
pub const SAMPLE_EVERY: Duration = Duration::from_secs(5);

/// Request latencies: a page or API answer is expected well under a second.
const HTTP_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// fal answers a submit or a status in tenths of a second to a few seconds.
const FAL_BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// The process's recorder, installed on first use.
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(name::HTTP_DURATION.into()), HTTP_BUCKETS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(name::FAL_DURATION.into()), FAL_BUCKETS));
        let recorder = match builder {
            Ok(builder) => builder.build_recorder(),
            Err(err) => unreachable!("the buckets are not empty: {err}"),
        };
        let handle = recorder.handle();
        if let Err(err) = metrics::set_global_recorder(recorder) {
            tracing::error!(error = %err, "another metrics recorder is installed: /metrics stays empty");
        }
        describe();
        handle
    })
}

/// The `# HELP` lines.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(name::HTTP_REQUESTS, "HTTP requests answered, by route template, method and status");
    describe_histogram!(name::HTTP_DURATION, Unit::Seconds, "Time to the response head, by route template and method");
    describe_counter!(name::JOB_TRANSITIONS, "Jobs that entered a status");
    describe_gauge!(name::JOBS, "Unfinished jobs by status and phase");
    describe_gauge!(name::QUEUE_DEPTH, "Jobs waiting for a worker");
    describe_gauge!(name::QUEUE_OLDEST_AGE, Unit::Seconds, "Age of the oldest job waiting for a worker");
    describe_histogram!(name::FAL_DURATION, Unit::Seconds, "fal queue calls, per attempt");
    describe_counter!(name::FAL_ERRORS, "Failed fal queue calls (attempts), by kind");
    describe_counter!(name::WEBHOOKS_ACCEPTED, "fal webhooks accepted");
    describe_counter!(name::WEBHOOKS_REFUSED, "fal webhooks refused, by reason");
    describe_counter!(name::CREDITS_ADDED, "Credits added to balances, by reason");
    describe_counter!(name::CREDITS_REMOVED, "Credits taken from balances, by reason");
    describe_gauge!(name::SSE_CONNECTIONS, "Event streams open on this instance");
    describe_gauge!(name::DB_CONNECTIONS, "Database pool connections by pool and state");
    describe_gauge!(name::EMAIL_BACKLOG, "Emails still to send, by outbox");
    describe_gauge!(name::COPIER_BACKLOG, "Completed pictures not yet in our storage");
}

/// The metrics listener, bound (port 0 picks a free port) but not yet serving.
pub struct Listener {
    listener: tokio::net::TcpListener,
    pub addr: SocketAddr,
}

impl Listener {
    /// Binds `addr` and installs the recorder; `None` without an address (metrics off).
    pub async fn bind(addr: Option<SocketAddr>) -> Result<Option<Self>, (SocketAddr, std::io::Error)> {
        let Some(addr) = addr else { return Ok(None) };
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| (addr, e))?;
        let bound = listener.local_addr().map_err(|e| (addr, e))?;
        handle();
        tracing::info!(addr = %bound, "metrics are served at /metrics");
        Ok(Some(Self { listener, addr: bound }))
    }

    /// Serves `GET /metrics` until the task is aborted.
    pub fn serve(self) -> tokio::task::JoinHandle<()> {
        let router = axum::Router::new().route("/metrics", axum::routing::get(render));
        tokio::spawn(async move {
            if let Err(err) = axum::serve(self.listener, router).await {
                tracing::error!(error = %err, "the metrics listener stopped");
            }
        })
    }
}

async fn render() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle().render())
}

/// Samples the gauges that live in the database and the pools every [`SAMPLE_EVERY`], and keeps
/// the recorder's memory bounded between scrapes. `email_max_attempts`: past it an email is given
/// up, not waiting.
pub fn spawn_sampler(db: Db, email_max_attempts: u32) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(err) = sample(&db, email_max_attempts).await {
                tracing::warn!(error = %err, "could not sample the metrics from the database");
            }
            handle().run_upkeep();
            tokio::time::sleep(SAMPLE_EVERY).await;
        }
    })
}

/// The unfinished jobs' (status, phase) pairs, all of them, so a pair that empties reads 0.
const JOB_PHASES: [(&str, &str); 4] = [("queued", "waiting"), ("processing", "submitted"), ("processing", "in_queue"), ("processing", "in_progress")];

fn job_phase(status: &str, fal_phase: Option<&str>) -> (&'static str, &'static str) {
    match (status, fal_phase) {
        ("queued", _) => JOB_PHASES[0],
        (_, Some("IN_QUEUE")) => JOB_PHASES[2],
        (_, Some("IN_PROGRESS")) => JOB_PHASES[3],
        _ => JOB_PHASES[1],
    }
}

async fn sample(db: &Db, email_max_attempts: u32) -> Result<(), sqlx::Error> {
    for (pool, connections) in db.pools() {
        let idle = connections.num_idle() as f64;
        metrics::gauge!(name::DB_CONNECTIONS, "pool" => pool, "state" => "idle").set(idle);
        metrics::gauge!(name::DB_CONNECTIONS, "pool" => pool, "state" => "in_use").set(f64::from(connections.size()) - idle);
    }
    let read = db.read();
    let rows: Vec<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT status, fal_phase, COUNT(*) FROM infographs WHERE status IN ('queued', 'processing') GROUP BY status, fal_phase",
    )
    .fetch_all(read)
    .await?;
    let mut jobs = JOB_PHASES.map(|pair| (pair, 0i64));
    for (status, fal_phase, n) in &rows {
        let pair = job_phase(status, fal_phase.as_deref());
        if let Some(slot) = jobs.iter_mut().find(|(p, _)| *p == pair) {
            slot.1 += n;
        }
    }
    for ((status, phase), n) in jobs {
        metrics::gauge!(name::JOBS, "status" => status, "phase" => phase).set(n as f64);
    }
    let (depth, oldest): (i64, Option<i64>) = sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM infographs WHERE status = 'queued'").fetch_one(read).await?;
    metrics::gauge!(name::QUEUE_DEPTH).set(depth as f64);
    let age_ms = oldest.map_or(0, |at| (now_ms() - at).max(0));
    metrics::gauge!(name::QUEUE_OLDEST_AGE).set(age_ms as f64 / 1000.0);
    for (outbox, table) in [("jobs", "email_outbox"), ("accounts", "account_emails")] {
        let waiting: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE sent_at IS NULL AND attempts < $1"))
            .bind(i64::from(email_max_attempts))
            .fetch_one(read)
            .await?;
        metrics::gauge!(name::EMAIL_BACKLOG, "outbox" => outbox).set(waiting as f64);
    }
    let uncopied: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM infographs WHERE status = 'completed' AND stored_at IS NULL AND image_url IS NOT NULL AND storage_gave_up_at IS NULL",
    )
    .fetch_one(read)
    .await?;
    metrics::gauge!(name::COPIER_BACKLOG).set(uncopied as f64);
    Ok(())
}

/// A label value from a fixed set, so a client cannot mint series with made-up methods.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// One answered HTTP request. `route`: the route template, never the raw path.
pub fn http_request(route: &str, method: &Method, status: StatusCode, elapsed: Duration) {
    let (route, method) = (route.to_string(), method_label(method));
    metrics::counter!(name::HTTP_REQUESTS, "route" => route.clone(), "method" => method, "status" => status.as_u16().to_string()).increment(1);
    metrics::histogram!(name::HTTP_DURATION, "route" => route, "method" => method).record(elapsed.as_secs_f64());
}

/// A job entered status `to` (`processing`, `completed`, `failed`, `cancelled`).
pub fn job_transition(to: &'static str) {
    metrics::counter!(name::JOB_TRANSITIONS, "to" => to).increment(1);
}

/// One attempt of a fal queue call; `error`: its kind when it failed.
pub fn fal_call(call: &'static str, elapsed: Duration, error: Option<&'static str>) {
    let outcome = if error.is_some() { "error" } else { "ok" };
    metrics::histogram!(name::FAL_DURATION, "call" => call, "outcome" => outcome).record(elapsed.as_secs_f64());
    if let Some(kind) = error {
        metrics::counter!(name::FAL_ERRORS, "call" => call, "kind" => kind).increment(1);
    }
}

/// A fal webhook answered; `refused`: why, when it was.
pub fn webhook(kind: &'static str, refused: Option<&'static str>) {
    match refused {
        None => metrics::counter!(name::WEBHOOKS_ACCEPTED, "kind" => kind).increment(1),
        Some(reason) => metrics::counter!(name::WEBHOOKS_REFUSED, "kind" => kind, "reason" => reason).increment(1),
    }
}

/// A credit movement written to the ledger: positive adds, negative takes.
pub fn credits_moved(reason: &'static str, amount: i64) {
    match amount {
        0 => {}
        added if added > 0 => metrics::counter!(name::CREDITS_ADDED, "reason" => reason).increment(added.unsigned_abs()),
        taken => metrics::counter!(name::CREDITS_REMOVED, "reason" => reason).increment(taken.unsigned_abs()),
    }
}

/// An event stream opened (`+1`) or closed (`-1`).
pub fn sse_connections(change: f64) {
    metrics::gauge!(name::SSE_CONNECTIONS).increment(change);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_a_valid_distinct_prometheus_name() {
        let valid = |n: &str| n.starts_with("infograph_") && n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        for n in name::ALL {
            assert!(valid(n), "{n}");
        }
        let mut names = name::ALL.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), name::ALL.len());
    }

    #[test]
    fn made_up_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").expect("a method")), "other");
    }

    #[test]
    fn job_phases_cover_every_unfinished_row() {
        assert_eq!(job_phase("queued", None), ("queued", "waiting"));
        assert_eq!(job_phase("processing", None), ("processing", "submitted"));
        assert_eq!(job_phase("processing", Some("IN_QUEUE")), ("processing", "in_queue"));
        assert_eq!(job_phase("processing", Some("IN_PROGRESS")), ("processing", "in_progress"));
    }
}

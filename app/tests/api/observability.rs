//! Metrics on their own listener (`METRICS_ADDR`) and request ids on every answer.
//!
//! The metrics recorder is global to the process and the tests run in parallel, so every
//! assertion is about a change this test caused (a delta, or a series only it can have made),
//! never about a total.

use crate::helpers::{new_key, TestApp, WAIT};
use app::server::platform::metrics::name;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

type Labels = BTreeMap<String, String>;

/// One scrape: every sample line as (name, labels) → value.
struct Scrape(Vec<(String, Labels, f64)>);

impl Scrape {
    fn parse(text: &str) -> Self {
        Self(text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(sample).collect())
    }

    /// The sum of the series of `metric` that have all of `labels`; `None` when there is none.
    fn get(&self, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let matching: Vec<f64> = self
            .0
            .iter()
            .filter(|(n, l, _)| n == metric && labels.iter().all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v)))
            .map(|(_, _, v)| *v)
            .collect();
        (!matching.is_empty()).then(|| matching.iter().sum())
    }

    fn value(&self, metric: &str, labels: &[(&str, &str)]) -> f64 {
        self.get(metric, labels).unwrap_or(0.0)
    }
}

/// `name{k="v",…} value`: label values may hold braces, commas and escaped quotes.
fn sample(line: &str) -> (String, Labels, f64) {
    let name_end = line.find(['{', ' ']).unwrap_or_else(|| panic!("a sample: {line}"));
    let name = line[..name_end].to_string();
    let mut labels = Labels::new();
    let mut rest = &line[name_end..];
    if let Some(inner) = rest.strip_prefix('{') {
        let (mut key, mut value, mut in_value, mut escaped) = (String::new(), String::new(), false, false);
        let mut end = None;
        for (i, c) in inner.char_indices() {
            match (in_value, escaped, c) {
                (true, true, _) => {
                    value.push(c);
                    escaped = false;
                }
                (true, false, '\\') => escaped = true,
                (true, false, '"') => {
                    labels.insert(std::mem::take(&mut key), std::mem::take(&mut value));
                    in_value = false;
                }
                (true, false, _) => value.push(c),
                (false, _, '"') => in_value = true,
                (false, _, '}') => {
                    end = Some(i);
                    break;
                }
                (false, _, '=' | ',') => {}
                (false, _, _) => key.push(c),
            }
        }
        rest = &inner[end.unwrap_or_else(|| panic!("unclosed labels: {line}")) + 1..];
    }
    let value = rest.trim().parse().unwrap_or_else(|_| panic!("a value: {line}"));
    (name, labels, value)
}

fn metrics_url(app: &TestApp) -> String {
    format!("http://{}/metrics", app.running.metrics_addr.expect("METRICS_ADDR was set"))
}

async fn scrape(app: &TestApp) -> Scrape {
    let response = app.http.get(metrics_url(app)).send().await.expect("scrape");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().expect("ascii").to_string();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    Scrape::parse(&response.text().await.expect("text"))
}

/// Scrapes until `ready` holds (what it waits for is recorded right after the change it follows).
async fn scrape_until(app: &TestApp, what: &str, ready: impl Fn(&Scrape) -> bool) -> Scrape {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = scrape(app).await;
        if ready(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "never in the metrics: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn with_metrics() -> TestApp {
    TestApp::spawn_with(|c| c.metrics_addr = Some("127.0.0.1:0".parse().expect("addr"))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_create_through_the_api_shows_in_the_metrics() {
    let app = with_metrics().await;
    let token = app.register("metrics@example.com").await;
    let before = scrape(&app).await;
    let create = [("route", "/api/infographs/create/"), ("method", "POST"), ("status", "201")];
    let create_latency = [("route", "/api/infographs/create/"), ("method", "POST"), ("le", "+Inf")];

    let (status, body) = app.create(&token, json!({"prompt": "Tides of the Atlantic", "resolution": "4K"})).await;
    assert_eq!(status, 201, "{body}");
    let cost = body["credits_used"].as_f64().expect("cost");
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(app.wait_final(&token, &id, WAIT).await["status"], "completed");

    let grew = |now: &Scrape, metric: &str, labels: &[(&str, &str)], by: f64| now.value(metric, labels) - before.value(metric, labels) >= by;
    let after = scrape_until(&app, "the completed job and its webhook", |now| {
        grew(now, name::JOB_TRANSITIONS, &[("to", "completed")], 1.0) && grew(now, name::WEBHOOKS_ACCEPTED, &[("kind", "picture")], 1.0)
    })
    .await;
    assert!(grew(&after, name::HTTP_REQUESTS, &create, 1.0), "the create's request");
    assert!(grew(&after, &format!("{}_bucket", name::HTTP_DURATION), &create_latency, 1.0), "its latency");
    assert!(after.get(&format!("{}_bucket", name::HTTP_DURATION), &[("route", "/api/infographs/create/"), ("le", "0.1")]).is_some(), "a finite bucket");
    assert!(grew(&after, &format!("{}_count", name::HTTP_DURATION), &[("route", "/api/infographs/create/")], 1.0));
    assert!(grew(&after, name::JOB_TRANSITIONS, &[("to", "processing")], 1.0), "submitted");
    assert!(grew(&after, name::CREDITS_REMOVED, &[("reason", "debit")], cost), "{cost} credits debited");
    assert!(after.get(name::CREDITS_ADDED, &[("reason", "signup")]).is_some(), "the sign-up credits");
    assert!(grew(&after, &format!("{}_count", name::FAL_DURATION), &[("call", "submit"), ("outcome", "ok")], 1.0), "fal's submit");

    // The sampled gauges (every test here with a listener samples its own database into them, so
    // only their presence and range say something).
    let sampled = scrape_until(&app, "the sampled gauges", |now| {
        now.get(name::COPIER_BACKLOG, &[]).is_some() && now.value(name::DB_CONNECTIONS, &[("pool", "read")]) >= 1.0
    })
    .await;
    for (metric, labels) in [
        (name::QUEUE_DEPTH, &[][..]),
        (name::QUEUE_OLDEST_AGE, &[]),
        (name::JOBS, &[("status", "queued"), ("phase", "waiting")]),
        (name::JOBS, &[("status", "processing"), ("phase", "in_progress")]),
        (name::EMAIL_BACKLOG, &[("outbox", "jobs")]),
        (name::EMAIL_BACKLOG, &[("outbox", "accounts")]),
        (name::DB_CONNECTIONS, &[("pool", "read"), ("state", "idle")]),
        (name::DB_CONNECTIONS, &[("pool", "write"), ("state", "in_use")]),
    ] {
        let value = sampled.get(metric, labels).unwrap_or_else(|| panic!("{metric} {labels:?}"));
        assert!(value >= 0.0, "{metric} {labels:?} = {value}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forged_webhooks_are_counted_by_reason() {
    let app = with_metrics().await;
    let token = app.register("forger@example.com").await;
    let (status, body) = app.create(&token, json!({"prompt": "[emulator:nowebhook] a job to forge for"})).await;
    assert_eq!(status, 201, "{body}");
    let id = body["infographs"][0]["id"].as_str().expect("id").to_string();
    let rid = app.fal_request_id(&id).await;
    let refused = [("kind", "picture"), ("reason", "signature")];
    let before = scrape(&app).await.value(name::WEBHOOKS_REFUSED, &refused);

    let stranger = new_key();
    let (status, _) = app.post_webhook(&id, &rid, &json!({"request_id": rid, "status": "OK", "payload": {}}), Some(&stranger)).await;
    assert_eq!(status, 401);
    scrape_until(&app, "the refused webhook", |now| now.value(name::WEBHOOKS_REFUSED, &refused) >= before + 1.0).await;
}

#[tokio::test]
async fn metrics_are_only_on_their_own_listener() {
    let app = with_metrics().await;
    let public = app.http.get(app.url("/metrics")).send().await.expect("get");
    assert_eq!(public.status(), 404, "the public listener must not serve metrics");
    assert_ne!(app.running.metrics_addr.map(|a| a.port()), Some(app.running.addr.port()));

    let off = TestApp::spawn().await;
    assert!(off.running.metrics_addr.is_none(), "METRICS_ADDR unset: no listener");
    assert_eq!(off.http.get(off.url("/metrics")).send().await.expect("get").status(), 404);
}

#[tokio::test]
async fn unmatched_paths_count_under_one_label_never_their_own() {
    let app = with_metrics().await;
    let path = format!("/no-such-page-{}", uuid::Uuid::new_v4().simple());
    let unmatched = [("route", "unmatched"), ("method", "GET"), ("status", "404")];
    let before = scrape(&app).await.value(name::HTTP_REQUESTS, &unmatched);
    assert_eq!(app.http.get(app.url(&path)).send().await.expect("get").status(), 404);
    let after = scrape(&app).await;
    assert!(after.value(name::HTTP_REQUESTS, &unmatched) >= before + 1.0);
    let text = app.http.get(metrics_url(&app)).send().await.expect("scrape").text().await.expect("text");
    assert!(!text.contains(&path), "a raw path became a label");
}

#[tokio::test]
async fn open_event_streams_are_counted() {
    let app = with_metrics().await;
    let token = app.register("streams@example.com").await;
    let stream = app.send(Method::GET, &token, "/api/events/").await;
    assert_eq!(stream.status(), 200);
    assert!(stream.headers().contains_key("x-request-id"), "event streams carry their request id");
    // This stream is open while the scrape runs: whatever other tests do, it counts one.
    assert!(scrape(&app).await.value(name::SSE_CONNECTIONS, &[]) >= 1.0);
    drop(stream);
}

fn request_id(response: &reqwest::Response) -> String {
    response.headers().get("x-request-id").expect("an x-request-id").to_str().expect("ascii").to_string()
}

fn made_here(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let get = |path: &str, id: Option<&str>| {
        let mut request = app.http.get(app.url(path));
        if let Some(id) = id {
            request = request.header("x-request-id", id);
        }
        request.send()
    };
    // A sane id is kept, on answers of every kind.
    let emulator_keys = "/fal-emulator/.well-known/jwks.json";
    for (path, status) in [("/api/account/", 401), ("/api/nothing-here/", 404), ("/no-such-page", 404), ("/", 200), ("/api/openapi.json", 200), (emulator_keys, 200)] {
        let answer = get(path, Some("abc-123")).await.expect("get");
        assert_eq!(answer.status(), status, "{path}");
        assert_eq!(request_id(&answer), "abc-123", "{path}");
    }
    let proxy_made = "1-5759e988-bd862e3fe1be46a994272793:edge.1_x";
    assert_eq!(request_id(&get("/", Some(proxy_made)).await.expect("get")), proxy_made);
    // Anything else is replaced by one made here; none given, one is made.
    let long = "a".repeat(129);
    for insane in [long.as_str(), "two words", "tab\there", "quote\"d", "semi;colon"] {
        let id = request_id(&get("/api/account/", Some(insane)).await.expect("get"));
        assert!(made_here(&id), "{insane:?} became {id:?}");
    }
    let (one, two) = (request_id(&get("/", None).await.expect("get")), request_id(&get("/", None).await.expect("get")));
    assert!(made_here(&one) && made_here(&two) && one != two, "{one} {two}");
    // A request refused before any handler runs carries one too.
    let refused = app.http.post(app.url("/sfn/anything")).header("origin", "https://evil.example").header("x-request-id", "csrf-1").send().await.expect("post");
    assert_eq!(refused.status(), 403);
    assert_eq!(request_id(&refused), "csrf-1");
}

/// Every name the dashboard queries is one the app exports, and it shows every one of them.
#[test]
fn the_grafana_dashboard_queries_what_the_app_exports() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/grafana-dashboard.json");
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("deploy/grafana-dashboard.json")).expect("valid JSON");
    let mut exprs = Vec::new();
    collect_exprs(&dashboard, &mut exprs);
    assert!(exprs.len() >= 10, "{} queries", exprs.len());
    let mut queried = std::collections::BTreeSet::new();
    for expr in &exprs {
        let names = metric_names(expr);
        assert!(!names.is_empty(), "a query of nothing of ours: {expr}");
        for metric in names {
            let base = ["_bucket", "_sum", "_count"].iter().find_map(|s| metric.strip_suffix(s)).filter(|b| name::ALL.contains(b)).unwrap_or(&metric);
            assert!(name::ALL.contains(&base), "the dashboard queries {metric}, which the app does not export: {expr}");
            queried.insert(base.to_string());
        }
    }
    for exported in name::ALL {
        assert!(queried.contains(*exported), "the dashboard shows nothing of {exported}");
    }
}

fn collect_exprs(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("expr", Value::String(expr)) => into.push(expr.clone()),
                    _ => collect_exprs(v, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_exprs(v, into)),
        _ => {}
    }
}

/// The `infograph_…` identifiers of a PromQL expression.
fn metric_names(expr: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = expr;
    while let Some(at) = rest.find("infograph_") {
        let preceded = rest[..at].chars().last().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let tail = &rest[at..];
        let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(tail.len());
        if !preceded {
            names.push(tail[..end].to_string());
        }
        rest = &tail[end..];
    }
    names
}

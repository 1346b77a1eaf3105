//! fal.ai queue client: submit, status, result, cancel, with fal's retry guidance (429 and
//! gateway errors retried with exponential backoff and jitter, other 4xx never).
//! The same code talks to fal.ai and to the built-in emulator.

use crate::server::platform::config::Secret;
use crate::server::platform::metrics;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum FalError {
    #[error("could not reach fal: {0}")]
    Transport(String),
    /// The request may have reached fal (e.g. a timeout after sending): retrying a submit could
    /// start a second, billed job, so this is not retried.
    #[error("no answer from fal: {0}")]
    Unconfirmed(String),
    #[error("fal answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("unexpected answer from fal: {0}")]
    Decode(String),
    /// A status / response / cancel URL (they come from fal's answers) outside the origin of
    /// `FAL_QUEUE_URL`: the key is never sent there, so nothing is sent at all.
    #[error("refused to call {0}: not the origin of FAL_QUEUE_URL")]
    ForeignUrl(String),
}

impl FalError {
    /// 429 and gateway errors are worth another try; other 4xx will fail the same way again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            Self::Status { status, .. } => matches!(status, 429 | 500 | 502 | 503 | 504),
            Self::Decode(_) | Self::Unconfirmed(_) | Self::ForeignUrl(_) => false,
        }
    }

    /// The error's kind in the metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Transport(_) => "transport",
            Self::Unconfirmed(_) => "unconfirmed",
            Self::Status { status: 429, .. } => "rate_limited",
            Self::Status { status: 400..=499, .. } => "client_error",
            Self::Status { .. } => "server_error",
            Self::Decode(_) => "decode",
            Self::ForeignUrl(_) => "foreign_url",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Submitted {
    pub request_id: String,
    pub status_url: String,
    pub response_url: String,
    pub cancel_url: Option<String>,
}

/// A queue status. Unknown values deserialize to `Other` instead of failing.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct QueueStatus {
    pub status: String,
    #[serde(default)]
    pub queue_position: Option<i64>,
    #[serde(default)]
    pub error: Option<String>,
}

impl QueueStatus {
    pub fn is_completed(&self) -> bool {
        self.status == "COMPLETED"
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OutputImage {
    pub url: String,
    #[serde(default)]
    pub width: Option<i64>,
    #[serde(default)]
    pub height: Option<i64>,
    #[serde(default)]
    pub content_type: Option<String>,
}

/// Why a model output holds no usable image.
#[derive(Debug, thiserror::Error)]
pub enum NoImage {
    #[error("the model returned no image")]
    Missing,
    #[error("the model returned an unreadable image entry: {0}")]
    Unreadable(String),
}

/// The first image of a model output.
pub fn first_image(output: &serde_json::Value) -> Result<OutputImage, NoImage> {
    let image = output.get("images").and_then(|images| images.get(0)).ok_or(NoImage::Missing)?;
    serde_json::from_value::<OutputImage>(image.clone()).map_err(|e| NoImage::Unreadable(e.to_string()))
}

/// A human-readable message from a fal error payload (`detail` as list or string).
pub fn error_message(payload: Option<&serde_json::Value>, fallback: &str) -> String {
    let detail = payload.and_then(|p| p.get("detail"));
    let text = match detail {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Array(items)) => {
            let msgs: Vec<String> = items
                .iter()
                .filter_map(|i| i.get("msg").and_then(|m| m.as_str()).map(str::to_string))
                .collect();
            (!msgs.is_empty()).then(|| msgs.join("; "))
        }
        _ => None,
    };
    let mut message = text.unwrap_or_else(|| fallback.to_string());
    if message.trim().is_empty() {
        message = "the generation failed".into();
    }
    message.chars().take(500).collect()
}

#[derive(Clone, Debug)]
pub struct FalClient {
    http: reqwest::Client,
    queue_url: String,
    /// Scheme, host and port of `queue_url`: the only place the key is sent.
    origin: Option<url::Origin>,
    key: Secret,
    retry_base: Duration,
    max_attempts: u32,
}

impl FalClient {
    pub fn new(
        http: reqwest::Client,
        queue_url: String,
        key: Secret,
        retry_base: Duration,
        max_attempts: u32,
    ) -> Self {
        let origin = url::Url::parse(&queue_url).ok().map(|u| u.origin()).filter(url::Origin::is_tuple);
        Self { http, queue_url, origin, key, retry_base, max_attempts }
    }

    /// `raw` as a URL the key may go to: on the queue's origin. fal's answers carry the URLs we
    /// call later, so a compromised or spoofed answer must not be able to collect the key.
    fn ours(&self, raw: &str) -> Result<reqwest::Url, FalError> {
        let url = reqwest::Url::parse(raw).map_err(|_| FalError::Decode("fal gave an invalid URL".into()))?;
        if self.origin.as_ref() == Some(&url.origin()) {
            return Ok(url);
        }
        let foreign = url.origin().ascii_serialization();
        tracing::warn!(url_origin = %foreign, queue = %self.queue_url, "refused to send the fal key outside the queue's origin");
        Err(FalError::ForeignUrl(foreign))
    }

    fn auth(&self) -> String {
        format!("Key {}", self.key.expose())
    }

    /// Submits `input` to an endpoint of the queue (a catalogue model's, `openrouter/router` for
    /// the outline's language model, …), with a webhook or, for a caller that polls, without.
    pub async fn submit_to(&self, endpoint: &str, input: &impl Serialize, webhook_url: Option<&str>) -> Result<Submitted, FalError> {
        let mut url = reqwest::Url::parse(&format!("{}/{endpoint}", self.queue_url)).map_err(|e| FalError::Decode(format!("bad FAL_QUEUE_URL: {e}")))?;
        if let Some(webhook) = webhook_url {
            url.query_pairs_mut().append_pair("fal_webhook", webhook);
        }
        self.with_retries("submit", || async {
            let response = self
                .http
                .post(url.clone())
                .header(reqwest::header::AUTHORIZATION, self.auth())
                .json(input)
                .send()
                .await
                .map_err(|e| {
                    if e.is_connect() {
                        FalError::Transport(e.without_url().to_string())
                    } else {
                        FalError::Unconfirmed(e.without_url().to_string())
                    }
                })?;
            decode(response).await
        })
        .await
    }

    /// Asks fal to cancel (`PUT {cancel_url}`), once: a person is waiting on the answer and can
    /// press again. fal answers 202 when it takes the request and 400 when the job already
    /// completed; either way the outcome arrives by webhook.
    pub async fn cancel(&self, cancel_url: &str) -> Result<(), FalError> {
        let url = self.ours(cancel_url)?;
        let started = Instant::now();
        let cancelled = self.cancel_once(url).await;
        metrics::fal_call("cancel", started.elapsed(), cancelled.as_ref().err().map(FalError::kind));
        cancelled
    }

    async fn cancel_once(&self, url: reqwest::Url) -> Result<(), FalError> {
        let response = self
            .http
            .put(url)
            .header(reqwest::header::AUTHORIZATION, self.auth())
            .send()
            .await
            .map_err(|e| FalError::Transport(e.without_url().to_string()))?;
        match decode::<serde_json::Value>(response).await {
            Ok(_) | Err(FalError::Status { status: 400, .. }) => Ok(()),
            Err(err) => Err(err),
        }
    }

    pub async fn status(&self, status_url: &str) -> Result<QueueStatus, FalError> {
        self.get_json("status", status_url).await
    }

    pub async fn result(&self, response_url: &str) -> Result<serde_json::Value, FalError> {
        self.get_json("result", response_url).await
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, call: &'static str, url: &str) -> Result<T, FalError> {
        let url = self.ours(url)?;
        self.with_retries(call, || async {
            let response = self
                .http
                .get(url.clone())
                .header(reqwest::header::AUTHORIZATION, self.auth())
                .send()
                .await
                .map_err(|e| FalError::Transport(e.without_url().to_string()))?;
            decode(response).await
        })
        .await
    }

    /// Exponential backoff with ±25 % jitter, as fal's official JS client does. Each attempt is
    /// timed and counted as `name` in the metrics.
    async fn with_retries<T, F, Fut>(&self, name: &'static str, mut call: F) -> Result<T, FalError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, FalError>>,
    {
        let mut attempt = 1;
        loop {
            let started = Instant::now();
            let answered = call().await;
            metrics::fal_call(name, started.elapsed(), answered.as_ref().err().map(FalError::kind));
            match answered {
                Err(err) if err.is_retryable() && attempt < self.max_attempts => {
                    let base = self.retry_base.as_millis() as f64 * 2f64.powi(attempt as i32 - 1);
                    let jitter = rand::thread_rng().gen_range(0.75..1.25);
                    tracing::warn!(attempt, error = %err, "fal call failed; retrying");
                    tokio::time::sleep(Duration::from_millis((base * jitter) as u64)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

async fn decode<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> Result<T, FalError> {
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| FalError::Transport(e.without_url().to_string()))?;
    if !status.is_success() {
        let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
        let fallback = String::from_utf8_lossy(&body[..body.len().min(300)]).to_string();
        return Err(FalError::Status {
            status: status.as_u16(),
            message: error_message(json.as_ref(), &fallback),
        });
    }
    serde_json::from_slice(&body).map_err(|e| FalError::Decode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn retryable_errors_follow_fal_guidance() {
        for s in [429, 502, 503, 504, 500] {
            assert!(FalError::Status { status: s, message: String::new() }.is_retryable());
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(!FalError::Status { status: s, message: String::new() }.is_retryable());
        }
        assert!(FalError::Transport("x".into()).is_retryable());
        assert!(!FalError::Unconfirmed("timeout".into()).is_retryable());
        assert!(!FalError::ForeignUrl("https://evil.example".into()).is_retryable());
    }

    #[test]
    fn the_key_goes_only_to_the_queues_origin() {
        let client = |queue: &str| {
            FalClient::new(reqwest::Client::new(), queue.into(), Secret::new("k"), Duration::ZERO, 1)
        };
        let fal = client("https://queue.fal.run");
        for ok in ["https://queue.fal.run/fal-ai/x/requests/1/status", "https://queue.fal.run:443/r", "HTTPS://QUEUE.FAL.RUN/r"] {
            assert!(fal.ours(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://queue.fal.run/r",
            "https://queue.fal.run:8443/r",
            "https://evil.example/r",
            "https://queue.fal.run.evil.example/r",
            "https://queue.fal.run@evil.example/r",
            "not a url",
        ] {
            assert!(fal.ours(bad).is_err(), "{bad}");
        }
        let local = client("http://127.0.0.1:3000/fal-emulator/queue");
        assert!(local.ours("http://127.0.0.1:3000/fal-emulator/queue/m/requests/1").is_ok());
        assert!(matches!(local.ours("http://127.0.0.1:3001/x"), Err(FalError::ForeignUrl(o)) if o == "http://127.0.0.1:3001"));
        assert!(client("not a url").ours("https://queue.fal.run/r").is_err());
    }

    #[test]
    fn error_messages_are_read_from_both_detail_shapes() {
        let list = json!({"detail":[{"loc":["body"],"msg":"content policy","type":"content_policy_violation"}]});
        assert_eq!(error_message(Some(&list), "x"), "content policy");
        assert_eq!(error_message(Some(&json!({"detail":"boom"})), "x"), "boom");
        assert_eq!(error_message(None, "fallback"), "fallback");
    }

    #[test]
    fn statuses_deserialize_tolerantly() {
        let s: QueueStatus = serde_json::from_value(json!({"status":"SOMETHING_NEW","x":1})).unwrap();
        assert!(!s.is_completed());
        let s: QueueStatus = serde_json::from_value(json!({"status":"IN_QUEUE","queue_position":3})).unwrap();
        assert_eq!(s.queue_position, Some(3));
    }

    #[test]
    fn first_image_is_extracted() {
        let out = json!({"images":[{"url":"https://x/y.png","width":10,"height":5}]});
        assert_eq!(first_image(&out).unwrap().url, "https://x/y.png");
        assert!(first_image(&json!({"images":[]})).is_err());
    }
}

//! How a job ended, as a webhook or a poll of fal reports it.

use crate::server::fal::client;
use std::net::SocketAddr;

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `layers`: for fal's layerize-text, the picture's text boxes (`server::layers::StoredLayers`
    /// as JSON) over `image_url`, its background.
    Completed { image_url: String, width: Option<i64>, height: Option<i64>, layers: Option<String> },
    Failed { message: String },
}

impl Outcome {
    /// A model output (`{"images": [...]}`): its first image, or why there is none; fal's
    /// layerize-text output: its background and its text boxes.
    pub fn from_output(output: &serde_json::Value) -> Self {
        if let Some(layered) = crate::server::layers::from_layerize_output(output) {
            return match layered {
                Ok((background, layers)) => Self::Completed { image_url: background.url, width: background.width, height: background.height, layers: Some(layers) },
                Err(message) => Self::Failed { message },
            };
        }
        match client::first_image(output) {
            Ok(image) => Self::Completed { image_url: image.url, width: image.width, height: image.height, layers: None },
            Err(missing) => Self::Failed { message: missing.to_string() },
        }
    }

    /// The outcome as it may be stored: a completed job whose image URL is not `https:` (a
    /// `javascript:` or `data:` URL would run in, or be served from, our pages; `http:` and
    /// `file:` are not fal's) fails instead. `own_files`: URL prefixes of the embedded emulator's
    /// files (this process's own routes); `allow`: the test-only `FETCH_ALLOW_ADDRS`, which may
    /// also serve plain http (a standalone emulator, a fixture server), as for the image copier.
    pub fn vetted(self, own_files: &[&str], allow: &[SocketAddr]) -> Self {
        match &self {
            Self::Completed { image_url, .. } => match refused_image_url(image_url, own_files, allow) {
                Some(reason) => Self::Failed { message: format!("the model returned an image URL that is not https ({reason}); it was not stored") },
                None => self,
            },
            Self::Failed { .. } => self,
        }
    }

    /// A fal webhook body: `OK` with the output (or a `payload_error`), or `ERROR` with details.
    pub fn from_webhook(body: &serde_json::Value) -> Self {
        let status = body.get("status").and_then(|s| s.as_str()).unwrap_or("");
        let payload = body.get("payload").filter(|p| !p.is_null());
        if status == "OK" {
            if let Some(err) = body.get("payload_error").and_then(|e| e.as_str()) {
                return Self::Failed { message: format!("fal could not deliver the result: {err}") };
            }
            return payload.map_or_else(|| Self::Failed { message: "fal returned no result".into() }, Self::from_output);
        }
        let fallback = body.get("error").and_then(|e| e.as_str()).unwrap_or("the generation failed");
        Self::Failed { message: client::error_message(payload, fallback) }
    }
}

/// Why `url` may not be stored as an image (a short, safe description: never the URL itself,
/// which may be a long `data:` payload), or `None` when it may.
fn refused_image_url(url: &str, own_files: &[&str], allow: &[SocketAddr]) -> Option<String> {
    if own_files.iter().any(|prefix| !prefix.is_empty() && url.starts_with(prefix)) {
        return None;
    }
    let Ok(parsed) = url::Url::parse(url) else { return Some("an unreadable URL".into()) };
    let allowed_http = || {
        let port = parsed.port_or_known_default();
        let ip = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        matches!((ip, port), (Some(ip), Some(port)) if allow.contains(&SocketAddr::new(ip, port)))
    };
    match parsed.scheme() {
        "https" if parsed.host_str().is_some_and(|h| !h.is_empty()) => None,
        "http" if allowed_http() => None,
        scheme => Some(format!("{scheme}:")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn webhook_bodies_map_to_outcomes() {
        let ok = json!({"request_id":"r","status":"OK","payload":{"images":[{"url":"https://i/x.png","width":3,"height":2}]}});
        assert_eq!(
            Outcome::from_webhook(&ok),
            Outcome::Completed { image_url: "https://i/x.png".into(), width: Some(3), height: Some(2), layers: None }
        );
        let err = json!({"request_id":"r","status":"ERROR","error":"Invalid status code: 422","payload":{"detail":[{"msg":"nope"}]}});
        assert_eq!(Outcome::from_webhook(&err), Outcome::Failed { message: "nope".into() });
        let payload_error = json!({"request_id":"r","status":"OK","payload":null,"payload_error":"too big"});
        assert!(matches!(Outcome::from_webhook(&payload_error), Outcome::Failed { message } if message.contains("too big")));
        let empty = json!({"request_id":"r","status":"OK","payload":{"images":[]}});
        assert!(matches!(Outcome::from_webhook(&empty), Outcome::Failed { .. }));
    }

    fn completed(url: &str) -> Outcome {
        Outcome::Completed { image_url: url.into(), width: None, height: None, layers: None }
    }

    #[test]
    fn only_https_image_urls_are_kept() {
        let own = ["http://127.0.0.1:3000/fal-emulator/files/"];
        let allow: [SocketAddr; 1] = ["127.0.0.1:3900".parse().unwrap()];
        for ok in [
            "https://v3.fal.media/files/x.png",
            "http://127.0.0.1:3000/fal-emulator/files/j.png?w=1",
            "http://127.0.0.1:3900/files/j.png",
        ] {
            assert_eq!(completed(ok).vetted(&own, &allow), completed(ok), "{ok}");
        }
        for (bad, scheme) in [
            ("javascript:alert(1)", "javascript:"),
            ("JavaScript:alert(1)", "javascript:"),
            ("data:image/svg+xml,<svg onload=alert(1)>", "data:"),
            ("http://fal.media/x.png", "http:"),
            ("http://127.0.0.1:3000/other", "http:"),
            ("http://127.0.0.1:3901/files/j.png", "http:"),
            ("file:///etc/passwd", "file:"),
            ("ftp://fal.media/x.png", "ftp:"),
            ("/relative.png", "an unreadable URL"),
        ] {
            match completed(bad).vetted(&own, &allow) {
                Outcome::Failed { message } => assert!(message.contains("not https") && message.contains(scheme), "{bad}: {message}"),
                other => panic!("{bad} was kept: {other:?}"),
            }
        }
        let failed = Outcome::Failed { message: "x".into() };
        assert_eq!(failed.clone().vetted(&[], &[]), failed);
    }
}

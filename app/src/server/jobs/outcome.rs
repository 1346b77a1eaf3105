//! How a job ended, as a webhook or a poll of fal reports it.

use crate::server::fal::client;

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Completed { image_url: String, width: Option<i64>, height: Option<i64> },
    Failed { message: String },
}

impl Outcome {
    /// A model output (`{"images": [...]}`): its first image, or why there is none.
    pub fn from_output(output: &serde_json::Value) -> Self {
        match client::first_image(output) {
            Ok(image) => Self::Completed { image_url: image.url, width: image.width, height: image.height },
            Err(missing) => Self::Failed { message: missing.to_string() },
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn webhook_bodies_map_to_outcomes() {
        let ok = json!({"request_id":"r","status":"OK","payload":{"images":[{"url":"https://i/x.png","width":3,"height":2}]}});
        assert_eq!(
            Outcome::from_webhook(&ok),
            Outcome::Completed { image_url: "https://i/x.png".into(), width: Some(3), height: Some(2) }
        );
        let err = json!({"request_id":"r","status":"ERROR","error":"Invalid status code: 422","payload":{"detail":[{"msg":"nope"}]}});
        assert_eq!(Outcome::from_webhook(&err), Outcome::Failed { message: "nope".into() });
        let payload_error = json!({"request_id":"r","status":"OK","payload":null,"payload_error":"too big"});
        assert!(matches!(Outcome::from_webhook(&payload_error), Outcome::Failed { message } if message.contains("too big")));
        let empty = json!({"request_id":"r","status":"OK","payload":{"images":[]}});
        assert!(matches!(Outcome::from_webhook(&empty), Outcome::Failed { .. }));
    }
}

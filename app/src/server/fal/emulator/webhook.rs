//! The end of every job announced like fal's: a webhook signed with the emulator's own key,
//! delivered at least once.

use super::job::Scripted;
use super::{Emulator, EMULATOR_USER_ID};
use crate::server::fal::signature::{signed_message, HEADER_REQUEST_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_USER_ID};
use axum::http::header;
use ed25519_dalek::Signer;
use serde_json::json;
use std::time::Duration;

impl Emulator {
    pub(super) async fn deliver_webhook(&self, id: String, url: String) {
        // Like fal, a cancelled request reports at once rather than when it would have finished.
        let Some(job) = self.job(&id) else { return };
        while !job.cancelled && job.started.elapsed() < job.duration {
            tokio::time::sleep((job.duration.saturating_sub(job.started.elapsed())).min(Duration::from_millis(100))).await;
            if self.job(&id).is_none_or(|j| j.cancelled) {
                break;
            }
        }
        let Some(job) = self.job(&id) else { return };
        let body = match (job.cancelled, &job.ending) {
            (false, Scripted::Ok) => json!({
                "request_id": id, "gateway_request_id": id, "status": "OK",
                "payload": self.output(&id, &job),
            }),
            (true, _) => json!({
                "request_id": id, "gateway_request_id": id, "status": "ERROR",
                "error": "Request was cancelled", "payload": {"detail": "Request was cancelled"},
            }),
            (false, ending) => json!({
                "request_id": id, "gateway_request_id": id, "status": "ERROR",
                "error": "Invalid status code: 422", "payload": Emulator::failure_payload(ending),
            }),
        };
        let body = body.to_string().into_bytes();
        // At-least-once, like fal: retry a few times on anything but 2xx.
        for attempt in 0..5u32 {
            let ts = (crate::server::platform::db::now_ms() / 1000).to_string();
            let signature = self.0.key.sign(&signed_message(&id, EMULATOR_USER_ID, &ts, &body));
            let sent = self
                .0
                .http
                .post(&url)
                .header(header::CONTENT_TYPE, "application/json")
                .header(HEADER_REQUEST_ID, &id)
                .header(HEADER_USER_ID, EMULATOR_USER_ID)
                .header(HEADER_TIMESTAMP, &ts)
                .header(HEADER_SIGNATURE, hex::encode(signature.to_bytes()))
                .body(body.clone())
                .timeout(Duration::from_secs(15))
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => return,
                Ok(r) => tracing::warn!(request_id = %id, status = %r.status(), "emulator webhook refused"),
                Err(e) => tracing::warn!(request_id = %id, error = %e.without_url(), "emulator webhook failed"),
            }
            tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(attempt))).await;
        }
    }
}

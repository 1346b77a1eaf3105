//! Health, the event stream, and fal's webhook.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: String,
}

/// Whether this instance should get traffic: `200` with `status: ready`, else `503` with
/// `status: not_ready`, the failing checks in `not_ready` and a sentence in `message`.
#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(pattern = "^(ready|not_ready)$")]
    pub status: String,
    /// Each check (`database`, `migrations`, `storage`, `shutdown`): `ok`, or what is wrong.
    pub checks: std::collections::BTreeMap<String, String>,
    /// The checks that failed, in order.
    pub not_ready: Vec<String>,
    pub message: String,
}

/// One Server-Sent Event of `GET /api/events/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LiveEvent {
    /// `ready` (the stream is open), `job` (`data` is the changed infograph's JSON, with
    /// `version`), `resync` (updates were dropped: refetch what you show).
    #[schema(pattern = "^(ready|job|resync)$")]
    pub event: String,
    pub data: String,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookAck {
    pub ok: bool,
    /// `false` for a duplicate delivery.
    pub changed: bool,
}

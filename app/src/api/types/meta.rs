//! Health, the event stream, and fal's webhook.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: String,
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

//! The JSON shapes of the REST API: what handlers parse and send, and what the OpenAPI document
//! describes. One set of types for both, so the document cannot drift from what the API sends.
//! One file per concern; every name is re-exported here. A request body is read into its type and
//! the same type is its schema; the create and refine requests are the model's own
//! ([`crate::model::CreateRequest`]: the server functions take them too), the outline and brand
//! kit requests their use cases' (`server::outline::RawOutline`, `model::design::RawKit`).

mod accounts;
mod billing;
mod design;
mod infographs;
mod meta;
mod sharing;

pub use accounts::{AccountChange, AccountJson, AccountPatch, Credentials, PasswordResetConfirm, PasswordResetRequest, Registered, Sent, TokenJson, TokenList, TokenRequest};
pub use billing::{PackJson, PackList, PurchaseJson, PurchaseList, PurchaseRequest, StartedPurchase};
pub use crate::model::design::RawKit;
pub use crate::model::{CreateRequest, RefineRequest};
pub use design::{BrandKitJson, BrandKitList, OutlineJson, OutlineSectionJson};
pub use infographs::{InfographJson, InfographList, InfographPatch, ProofreadJson};
pub use meta::{Health, LiveEvent, Readiness, WebhookAck};
pub use sharing::{ShareJson, ShareRequest};

use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The content type of every error body.
pub const ERR: &str = "application/json";

/// Every error body: a stable code, a sentence for people, and details where they apply.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// `invalid_input`, `unauthorized`, `bad_credentials`, `not_found`, `not_enough_credits`,
    /// `conflict`, `rate_limited`, `internal`, `invalid_signature`, `not_ready`, …
    pub error: String,
    pub message: String,
    /// For `invalid_input`: the problem with each named field.
    #[schema(required = false)]
    pub fields: Option<BTreeMap<String, String>>,
    /// For `not_enough_credits`.
    #[schema(required = false)]
    pub required: Option<i64>,
    #[schema(required = false)]
    pub balance: Option<i64>,
    /// For `rate_limited`: seconds to wait (also in `Retry-After`).
    #[schema(required = false)]
    pub retry_after: Option<u64>,
}

pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

//! Buying credits: packs and purchases.

use super::rfc3339;
use crate::model::{field, FieldErrors};
use serde::{de, Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// `POST /api/billing/purchases/`.
#[derive(Default, Serialize, Deserialize, ToSchema)]
pub struct PurchaseRequest {
    /// The pack's id (its credits, e.g. `"50"`), from `GET /api/billing/packs/`.
    // Optional here so that a missing one is refused in words, with the other fields' problems.
    #[serde(default, deserialize_with = "pack")]
    #[schema(required = true, value_type = String, example = "50")]
    pub pack: Option<String>,
    /// A Stripe PaymentMethod to charge at once; without it, confirm with the `client_secret`.
    #[serde(default, deserialize_with = "field::text")]
    #[schema(required = false, example = "pm_card_visa")]
    pub payment_method: Option<String>,
}

const NO_PACK: &str = "is required (a pack id, e.g. \"50\")";

/// A pack's id: text, or the number it is (`50`); any other value names no pack.
fn pack<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    field::text_or_number(value).map_err(|_| de::Error::custom(NO_PACK))
}

impl PurchaseRequest {
    /// Why a field the request does not take is refused: the price is the pack's, never the buyer's.
    pub fn unknown(name: &str) -> Option<&'static str> {
        let priced = matches!(name, "amount" | "price" | "currency" | "credits");
        Some(if priced { "is set by the pack, not by the buyer" } else { "is not accepted" })
    }

    /// The pack's id and the payment method, or every problem keyed by field.
    pub fn validate(&self) -> Result<(String, Option<String>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let pack = field::given(&self.pack).map(str::to_string);
        if pack.is_none() {
            errors.insert("pack".into(), NO_PACK.into());
        }
        let method = self.payment_method.clone();
        if method.as_deref().is_some_and(|m| m.is_empty() || m.len() > 255 || !m.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')) {
            errors.insert("payment_method".into(), "is not a payment method id".into());
        }
        match pack {
            Some(pack) if errors.is_empty() => Ok((pack, method)),
            _ => Err(errors),
        }
    }
}

/// A pack for sale.
#[derive(Serialize, ToSchema)]
pub struct PackJson {
    pub id: String,
    pub credits: i64,
    /// In the currency's smallest unit (cents).
    pub amount: i64,
    pub currency: String,
    /// "$20.00".
    pub price: String,
    /// "$0.40 a credit".
    pub per_credit: String,
}

impl From<crate::model::billing::PackView> for PackJson {
    fn from(p: crate::model::billing::PackView) -> Self {
        Self { price: p.price(), per_credit: p.per_credit(), id: p.id, credits: p.credits, amount: p.amount, currency: p.currency }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PackList {
    /// Purchases can be made (Stripe is configured).
    pub configured: bool,
    pub currency: String,
    pub packs: Vec<PackJson>,
}

/// A purchase just started.
#[derive(Serialize, ToSchema)]
pub struct StartedPurchase {
    pub purchase_id: String,
    /// The PaymentIntent's client secret, for Stripe.js.
    pub client_secret: Option<String>,
    /// What will be charged, from the pack (in the smallest currency unit).
    pub amount: i64,
    pub currency: String,
    pub credits: i64,
    /// `pending` until Stripe's webhook says otherwise.
    #[schema(pattern = "^(pending|succeeded|failed)$")]
    pub status: String,
}

/// A purchase (a receipt once it succeeded).
#[derive(Serialize, ToSchema)]
pub struct PurchaseJson {
    pub id: String,
    pub pack: String,
    pub credits: i64,
    pub amount: i64,
    pub currency: String,
    #[schema(pattern = "^(pending|succeeded|failed)$")]
    pub status: String,
    /// Why it failed (the card issuer's words, when there are some).
    pub failure_reason: Option<String>,
    pub refunded_amount: i64,
    pub refunded_credits: i64,
    /// RFC 3339.
    pub created_at: String,
    pub completed_at: Option<String>,
}

impl From<crate::model::billing::PurchaseView> for PurchaseJson {
    fn from(p: crate::model::billing::PurchaseView) -> Self {
        Self {
            status: p.status.as_str().to_string(),
            created_at: rfc3339(p.created_at),
            completed_at: p.completed_at.map(rfc3339),
            id: p.id,
            pack: p.pack,
            credits: p.credits,
            amount: p.amount,
            currency: p.currency,
            failure_reason: p.failure_reason,
            refunded_amount: p.refunded_amount,
            refunded_credits: p.refunded_credits,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PurchaseList {
    pub count: usize,
    pub purchases: Vec<PurchaseJson>,
}

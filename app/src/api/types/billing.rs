//! Buying credits: packs and purchases.

use super::rfc3339;
use serde::Serialize;
use utoipa::ToSchema;

/// `POST /api/billing/purchases/`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PurchaseRequest {
    /// The pack's id (its credits, e.g. `"50"`), from `GET /api/billing/packs/`.
    #[schema(example = "50")]
    pub pack: String,
    /// A Stripe PaymentMethod to charge at once; without it, confirm with the `client_secret`.
    #[schema(required = false, example = "pm_card_visa")]
    pub payment_method: Option<String>,
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

//! Buying credits, as the browser and the API show it: the packs for sale, a purchase and its
//! state, and money written for people.

use serde::{Deserialize, Serialize};

/// One pack for sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackView {
    /// What a buyer names it by: its credits, as text (`"50"`).
    pub id: String,
    pub credits: i64,
    /// The price, in the currency's smallest unit (cents).
    pub amount: i64,
    pub currency: String,
}

impl PackView {
    /// "$20.00".
    pub fn price(&self) -> String {
        money(self.amount, &self.currency)
    }

    /// "$0.40 a credit".
    pub fn per_credit(&self) -> String {
        let per = self.amount as f64 / self.credits.max(1) as f64;
        format!("{} a credit", money_f(per, &self.currency))
    }
}

/// What the billing page needs: the packs, and whether (and how) purchases can be made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingInfo {
    /// Stripe's keys are set: purchases can be made.
    pub configured: bool,
    pub packs: Vec<PackView>,
    pub publishable_key: Option<String>,
    pub js_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PurchaseStatus {
    /// Paid or not yet: waiting for Stripe's word.
    Pending,
    /// Stripe says it was paid: the credits are on the balance.
    Succeeded,
    /// Declined, abandoned or failed: nothing was credited.
    Failed,
}

impl PurchaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "succeeded" => Some(Self::Succeeded),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }

    pub fn is_final(self) -> bool {
        self != Self::Pending
    }
}

/// One purchase, as its buyer sees it (a receipt once it succeeded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseView {
    pub id: String,
    pub pack: String,
    pub credits: i64,
    pub amount: i64,
    pub currency: String,
    pub status: PurchaseStatus,
    /// Why it failed (the card issuer's words, when there are some).
    pub failure_reason: Option<String>,
    /// Credits Stripe refunded (of them, `clawed_back` were taken back; the rest were spent).
    pub refunded_credits: i64,
    pub refunded_amount: i64,
    pub created_at: i64,
    pub completed_at: Option<i64>,
}

impl PurchaseView {
    pub fn price(&self) -> String {
        money(self.amount, &self.currency)
    }
}

/// An amount in a currency's smallest unit, for people: "$20.00", "€5.50", "1,000 JPY".
pub fn money(amount: i64, currency: &str) -> String {
    money_f(amount as f64, currency)
}

/// Currencies whose smallest unit is the unit itself (Stripe's list of zero-decimal currencies).
const ZERO_DECIMAL: [&str; 16] = ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"];

fn money_f(amount: f64, currency: &str) -> String {
    let code = currency.to_ascii_lowercase();
    let major = if ZERO_DECIMAL.contains(&code.as_str()) { amount } else { amount / 100.0 };
    let number = if ZERO_DECIMAL.contains(&code.as_str()) { format!("{major:.0}") } else { format!("{major:.2}") };
    match code.as_str() {
        "usd" => format!("${number}"),
        "eur" => format!("€{number}"),
        "gbp" => format!("£{number}"),
        _ => format!("{number} {}", code.to_ascii_uppercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_for_people() {
        assert_eq!(money(2000, "usd"), "$20.00");
        assert_eq!(money(550, "EUR"), "€5.50");
        assert_eq!(money(1000, "jpy"), "1000 JPY");
        let pack = PackView { id: "50".into(), credits: 50, amount: 2000, currency: "usd".into() };
        assert_eq!((pack.price(), pack.per_credit()), ("$20.00".to_string(), "$0.40 a credit".to_string()));
    }
}

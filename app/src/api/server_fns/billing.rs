//! Buying credits from the browser: the billing page's data, the card form's SetupIntent, the
//! purchase, and its state (read live until Stripe's webhook has credited it).

use crate::errors::AppError;
use crate::model::billing::{BillingInfo, PurchaseView};
use leptos::prelude::*;

/// The packs and whether purchases can be made; a signed-in buyer's purchases (`None` for a
/// visitor, who sees the prices).
#[server(prefix = "/sfn", endpoint = "billing_page_data", output = super::codec::Json)]
pub async fn billing_page_data() -> Result<(BillingInfo, Option<Vec<PurchaseView>>), AppError> {
    use crate::server::billing::purchases;
    let state = super::context::app_state()?;
    let purchases = match super::context::optional_user(&state).await? {
        Some(user) => Some(purchases::list(&state, &user).await?),
        None => None,
    };
    Ok((purchases::info(&state), purchases))
}

/// A SetupIntent's client secret for the card form, and the publishable key.
#[server(prefix = "/sfn", endpoint = "start_card_setup", output = super::codec::Json)]
pub async fn start_card_setup() -> Result<(String, String), AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::billing::purchases::card_setup(&state, &user).await
}

/// Charges `pack` to the card the confirmed SetupIntent `setup_intent` holds. The purchase is
/// `pending` until Stripe's webhook credits it; with it, the client secret to confirm a 3-D Secure
/// check with, when the bank asks for one.
#[server(prefix = "/sfn", endpoint = "buy_pack", output = super::codec::Json)]
pub async fn buy_pack(pack: String, setup_intent: String) -> Result<(PurchaseView, Option<String>), AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::billing::purchases::buy_with_setup(&state, &user, &pack, &setup_intent).await
}

#[server(prefix = "/sfn", endpoint = "purchase_status", output = super::codec::Json)]
pub async fn purchase_status(id: String) -> Result<PurchaseView, AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::billing::purchases::status(&state, &user, &id).await
}

/// The signed-in buyer's purchases, newest first (Settings shows them as receipts).
#[server(prefix = "/sfn", endpoint = "my_purchases", output = super::codec::Json)]
pub async fn my_purchases() -> Result<Vec<PurchaseView>, AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::billing::purchases::list(&state, &user).await
}

//! A purchase must end even when Stripe's webhook is lost: purchases still pending past
//! `BILLING_RECONCILE_AFTER_SECS` are looked up at Stripe (credited if paid, failed if declined),
//! then again every few minutes. Safe on every instance at once: purchases are claimed, and
//! crediting is guarded like the webhook's.

use super::{purchase_repo, purchases};
use crate::server::platform::state::AppState;
use std::time::Duration;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let after = state.config.billing.reconcile_after;
        let tick = (after / 2).clamp(Duration::from_millis(500), Duration::from_secs(30));
        loop {
            tokio::time::sleep(tick).await;
            if state.stripe.is_none() {
                continue;
            }
            if let Err(err) = reconcile_once(&state).await {
                tracing::error!(error = %err, "purchase reconciler pass failed");
            }
        }
    })
}

/// One pass over the purchases due for a look.
pub async fn reconcile_once(state: &AppState) -> Result<(), sqlx::Error> {
    let retry = state.config.billing.reconcile_after.as_millis() as i64;
    for purchase in purchase_repo::claim_due(&state.db, retry, 50).await? {
        if let Err(err) = purchases::reconcile(state, &purchase).await {
            tracing::warn!(purchase = %purchase.id, error = %err, "could not look a purchase up at Stripe");
        }
    }
    Ok(())
}

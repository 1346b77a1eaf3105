//! Credits: the ledger, request rate limits, and buying credits through Stripe (purchases, their
//! table and the reconciler that asks Stripe about purchases whose webhook never came).

pub mod ledger;
pub mod purchase_repo;
pub mod purchases;
pub mod rate_limit;
pub mod reconciler;

//! Credits: the ledger, and buying credits through Stripe (purchases, their table and the
//! reconciler that asks Stripe about purchases whose webhook never came).

pub mod ledger;
pub mod purchase_repo;
pub mod purchases;
pub mod reconciler;

//! Credits and the limits on spending them: the ledger, and request rate limits.

pub mod ledger;
pub mod rate_limit;

//! Stripe: the API client (PaymentIntents, SetupIntents) and webhook signature verification.
//! Tests run both against `localstripe`, a real Stripe API server from PyPI.

pub mod client;
pub mod signature;

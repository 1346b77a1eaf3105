//! The server-only domain, by concern. Imports flow one way: `api` (the HTTP edge) calls in here,
//! never the reverse; use cases call repositories; `platform` is at the bottom.

pub mod accounts;
pub mod admin;
pub mod billing;
pub mod brand;
pub mod blog;
pub mod delivery;
pub mod fal;
pub mod housekeeping;
pub mod idempotency;
pub mod jobs;
pub mod layers;
pub mod models;
pub mod outline;
pub mod platform;
pub mod proofread;
pub mod sharing;
pub mod showcase;
pub mod stripe;

//! What every part of the server stands on: configuration, the database, the shared state, the
//! outbound HTTP client, the background-queue loop, the rate limits, and the bootstrap that builds them.

pub mod backup;
pub mod bootstrap;
pub mod config;
pub mod db;
pub mod http;
pub mod metrics;
pub mod mode;
pub mod queue;
pub mod rate_limit;
pub mod readiness;
pub mod shutdown;
pub mod signing;
pub mod state;

//! Server functions: what the browser calls (under `/sfn/`), with the session cookie.

pub mod admin;
pub mod auth;
pub mod billing;
pub mod codec;
#[cfg(feature = "ssr")]
pub mod context;
pub mod design;
pub mod infographs;
pub mod models;
pub mod settings;
pub mod showcase;
pub mod viewer;

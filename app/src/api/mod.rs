//! The two front doors: server functions (called by the Leptos UI) and the JSON REST API.
//! Both call the same use cases in `server::service`.

pub mod admin;
pub mod auth;
pub mod infographs;
pub mod settings;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod docs;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod media;
#[cfg(feature = "ssr")]
pub mod openapi;
#[cfg(feature = "ssr")]
pub mod rest;

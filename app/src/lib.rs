//! Infograph: the Leptos app (pages, components, server functions) and, behind the `ssr`
//! feature, the server-only domain in [`server`].

pub mod api;
mod app;
pub mod components;
pub mod errors;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

pub use app::{shell, App};

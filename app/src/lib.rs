//! Infograph: the Leptos app (pages, components, server functions, shared in [`context`]) and,
//! behind the `ssr` feature, the HTTP edge in [`api`], the server-only domain in [`server`] and
//! the process that joins them in [`startup`].

pub mod api;
mod app;
pub mod components;
pub mod context;
pub mod errors;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod startup;

pub use app::{shell, App};

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

/// The browser's entry: hydrates the page's islands. The wasm crate's `hydrate` calls it, which
/// is what links this crate, and with it every island's exported hydration function, into the
/// bundle (a crate the entry never names is left out, islands and all).
#[cfg(feature = "hydrate")]
pub fn hydrate_islands() {
    leptos::mount::hydrate_islands();
}

//! The front doors. Server functions (`server_fns`, called by the Leptos UI) and the JSON REST
//! API (`rest`) are thin: they parse and check the caller, call a use case in `server`, and shape
//! the answer. The rest of the HTTP surface (the event stream, stored images, the OpenAPI
//! document and its page) and the router that joins them live beside them.

pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod assets;
#[cfg(feature = "ssr")]
pub mod client_address;
#[cfg(feature = "ssr")]
pub mod docs;
#[cfg(feature = "ssr")]
pub mod extract;
#[cfg(feature = "ssr")]
pub mod guards;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod media;
#[cfg(feature = "ssr")]
pub mod openapi;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod router;
#[cfg(feature = "ssr")]
pub mod share_page;
#[cfg(feature = "ssr")]
pub mod types;

//! The front doors. Server functions (`server_fns`, called by the Leptos UI) and the JSON REST
//! API (`rest`) are thin: they parse and check the caller, call a use case in `server`, and shape
//! the answer. The rest of the HTTP surface (the event stream, stored images, the OpenAPI
//! document and its page) and the router that joins them live beside them.

pub mod server_fns;

/// Everything but the server functions exists on the server only.
macro_rules! server_only {
    ($($module:ident),* $(,)?) => {
        $(
            #[cfg(feature = "ssr")]
            pub mod $module;
        )*
    };
}

server_only!(assets, client_address, docs, extract, guards, live, media, observe, openapi, rest, router, share_page, types);

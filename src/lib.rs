//! The browser entry point: the page is server-rendered, and only its islands (`#[island]`)
//! hydrate with the Leptos app.

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate_islands();
}

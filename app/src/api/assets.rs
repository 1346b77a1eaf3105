//! The built site's bundle, `/pkg/*`: the wasm core, its lazily loaded parts, their JS and the CSS
//! in a directory named for their content (`scripts/build.sh` writes it and its name), served precompressed (brotli, else gzip, as
//! the browser accepts) and cacheable for a year. A new build has new names, so a cached file is
//! never stale; the HTML that names them is revalidated on every load (`guards`).

use axum::http::{header, HeaderValue, Response};
use axum::Router;
use std::path::Path;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// What a hashed file may be cached as: anywhere, for a year, without revalidation.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

/// The `/pkg` routes, serving `<site root>/pkg`.
pub fn pkg_routes<S: Clone + Send + Sync + 'static>(site_root: &str) -> Router<S> {
    let files = ServeDir::new(Path::new(site_root).join("pkg")).precompressed_br().precompressed_gzip();
    // Only answers that found their file are immutable: a 404 must not be cached for a year.
    let cache = SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, |response: &Response<_>| {
        response.status().is_success().then_some(IMMUTABLE)
    });
    Router::new().nest_service("/pkg", tower::ServiceBuilder::new().layer(cache).service(files))
}

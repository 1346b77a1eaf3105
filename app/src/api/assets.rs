//! The built site's bundle, `/pkg/*`: the wasm core, its lazily loaded parts, their JS and the CSS
//! in a directory named for their content (`scripts/build.sh` writes it and its name), served precompressed (brotli, else gzip, as
//! the browser accepts) and cacheable for a year. A new build has new names, so a cached file is
//! never stale; the HTML that names them is revalidated on every load (`guards`). And the landing
//! page's example pictures, `/examples/*`: files of the repository (`public/examples/`, copied
//! into the site by the build like every public file), cached for a day (their names are not
//! their content's hash).

use axum::http::{header, HeaderValue, Response};
use axum::Router;
use std::path::Path;
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::services::ServeDir;
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

/// What a hashed file may be cached as: anywhere, for a year, without revalidation.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

/// What an example picture may be cached as: a day, anywhere.
const A_DAY: HeaderValue = HeaderValue::from_static("public, max-age=86400");

/// The `/pkg` routes, serving `<site root>/pkg`.
pub fn pkg_routes<S: Clone + Send + Sync + 'static>(site_root: &str) -> Router<S> {
    let files = ServeDir::new(Path::new(site_root).join("pkg")).precompressed_br().precompressed_gzip();
    Router::new().nest_service("/pkg", cached(files, IMMUTABLE))
}

/// The `/examples` routes, serving `<site root>/examples`.
pub fn example_routes<S: Clone + Send + Sync + 'static>(site_root: &str) -> Router<S> {
    Router::new().nest_service("/examples", cached(ServeDir::new(Path::new(site_root).join("examples")), A_DAY))
}

/// `files` with `cache` as the `Cache-Control` of the answers that found their file: a 404
/// must not be cached.
fn cached(files: ServeDir, cache: HeaderValue) -> SetResponseHeader<ServeDir, impl Fn(&Response<ServeFileSystemResponseBody>) -> Option<HeaderValue> + Clone> {
    let layer = SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, move |response: &Response<_>| {
        response.status().is_success().then(|| cache.clone())
    });
    tower::ServiceBuilder::new().layer(layer).service(files)
}

//! The outbound HTTP client for services we trust (fal, its JWKS, the emulator's webhooks).
//! User-supplied URLs never go through it: see `blog::fetch` and `delivery::storage`.

use std::time::Duration;

/// Upper bound of one outbound call.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

pub fn client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(HTTP_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("infograph/", env!("CARGO_PKG_VERSION")))
        .build()
}

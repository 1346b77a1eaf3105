//! The landing page's featured infographics: public, as their share pages are.

use crate::errors::AppError;
use crate::model::showcase::Featured;
use leptos::prelude::*;

/// The featured infographics the landing page shows, newest featured first (at most
/// `LANDING_PICTURES`; the examples fill the places left).
#[server(prefix = "/sfn", endpoint = "featured_infographics", output = super::codec::Json)]
pub async fn featured_infographics() -> Result<Vec<Featured>, AppError> {
    let state = super::context::app_state()?;
    crate::server::showcase::featured(&state.db).await
}

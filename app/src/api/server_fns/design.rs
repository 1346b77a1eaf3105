//! The create form's outline review and the brand kits of Settings.

use crate::errors::AppError;
use crate::model::design::{BrandKitView, Outline};
use leptos::prelude::*;

/// The outline of a blog post or a pasted text (free; rate limited like creates).
#[server(prefix = "/sfn", endpoint = "build_outline", output = super::codec::Json)]
pub async fn build_outline(
    prompt: Option<String>,
    blog_url: Option<String>,
    source_text: Option<String>,
    layout: Option<String>,
    language: Option<String>,
) -> Result<Outline, AppError> {
    use crate::server::outline::{self, RawOutline};
    let (state, user) = super::context::require_user().await?;
    let raw = RawOutline { prompt, blog_url, source_text, layout, language };
    Ok(outline::build(&state, &user, &raw).await?.0)
}

#[server(prefix = "/sfn", endpoint = "list_brand_kits", output = super::codec::Json)]
pub async fn list_brand_kits() -> Result<Vec<BrandKitView>, AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::brand::list(&state, &user).await
}

/// Creates a kit (`id` empty) or changes one. `colors`: `#RRGGBB` values, comma-separated;
/// `is_default`: `"true"` or `"false"`.
#[server(prefix = "/sfn", endpoint = "save_brand_kit", output = super::codec::Json)]
pub async fn save_brand_kit(
    id: Option<String>,
    name: String,
    colors: String,
    font_mood: String,
    tone: String,
    is_default: String,
) -> Result<BrandKitView, AppError> {
    use crate::model::design::RawKit;
    let (state, user) = super::context::require_user().await?;
    let raw = RawKit {
        name: Some(name),
        colors: Some(colors.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect()),
        font_mood: Some(font_mood),
        tone: Some(tone),
        is_default: Some(is_default == "true"),
    };
    match id.filter(|id| !id.is_empty()) {
        Some(id) => crate::server::brand::update(&state, &user, &id, &raw).await,
        None => crate::server::brand::create(&state, &user, &raw).await,
    }
}

#[server(prefix = "/sfn", endpoint = "delete_brand_kit", output = super::codec::Json)]
pub async fn delete_brand_kit(id: String) -> Result<(), AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::brand::delete(&state, &user, &id).await
}

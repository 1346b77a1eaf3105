//! Public links to infographs.

use super::rfc3339;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/infographs/{id}/share/` (the body is optional).
#[derive(Default, Serialize, Deserialize, ToSchema)]
pub struct ShareRequest {
    /// Let search engines index the public page (default `false`: `noindex`).
    #[serde(default, deserialize_with = "crate::model::field::flag")]
    #[schema(required = false)]
    pub indexable: Option<bool>,
}

/// An infograph's live share link.
#[derive(Serialize, ToSchema)]
pub struct ShareJson {
    /// The public page: no sign-in needed.
    pub url: String,
    /// The link's secret part (256 random bits).
    pub token: String,
    /// RFC 3339.
    pub created_at: String,
    /// Times the public page was opened.
    pub views: i64,
    pub indexable: bool,
    /// The picture behind the link, public (`null` until our copy of it exists).
    pub image_url: Option<String>,
}

impl From<crate::model::share::ShareView> for ShareJson {
    fn from(v: crate::model::share::ShareView) -> Self {
        Self { url: v.url, token: v.token, created_at: rfc3339(v.created_at), views: v.views, indexable: v.indexable, image_url: v.image_url }
    }
}

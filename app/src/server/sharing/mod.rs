//! Publishing: an owner shares an infograph through an unguessable link (`/s/{token}`, 256 random
//! bits), revocable at any time; anyone with the link sees a public page and the picture behind
//! it, and nothing else of the owner's. A revoked link, or one to a deleted infograph, is gone
//! (410) for the page and the picture alike.

pub mod repo;

use crate::errors::AppError;
use crate::model::share::ShareView;
use crate::model::JobStatus;
use crate::server::accounts::secrets::random_token;
use crate::server::accounts::users::UserRow;
use crate::server::delivery::renditions;
use crate::server::delivery::files::{self, MediaFile};
use crate::server::jobs::repo::{self as jobs, InfographRow};
use crate::server::platform::state::AppState;
use repo::ShareRow;

/// The public page of a link.
pub fn page_path(token: &str) -> String {
    format!("/s/{token}")
}

/// The owner's view of a live link.
pub fn view(state: &AppState, share: &ShareRow, infograph: &InfographRow) -> ShareView {
    let base = &state.public_base_url;
    ShareView {
        url: format!("{base}{}", page_path(&share.token)),
        token: share.token.clone(),
        created_at: share.created_at,
        views: share.views,
        indexable: share.indexable == 1,
        image_url: image_file(infograph, None).map(|file| format!("{base}{}/{file}", page_path(&share.token))),
    }
}

/// The name of the stored picture, or of one of its renditions (`-w1200.jpg`, …), as served
/// under a link. `None` until our copy exists.
pub fn image_file(infograph: &InfographRow, rendition: Option<&str>) -> Option<String> {
    let stored = infograph.image_url.as_deref().filter(|_| infograph.stored_at.is_some())?;
    let name = stored.rsplit('/').next()?;
    Some(match rendition {
        Some(suffix) => format!("{}{suffix}", renditions::hash_of(name)),
        None => name.to_string(),
    })
}

/// The picture as WebP in the widths we make (`<hash>-w600.webp` …) narrower than it, then at
/// full size: a phone takes a 600 or 800 px file, a laptop the 1200 or the original, and no
/// candidate is wider than the picture.
pub fn webp_srcset(file: &str, width: Option<u32>, picture_url: &dyn Fn(&str) -> String) -> String {
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let Some(width) = width else { return picture_url(&format!("{stem}.webp")) };
    let full = format!("{} {width}w", picture_url(&format!("{stem}.webp")));
    let mut widths: Vec<u32> = crate::model::GALLERY_WIDTHS.iter().chain(&crate::model::share::DOWNLOAD_WIDTHS).copied().filter(|w| *w < width).collect();
    widths.sort_unstable();
    widths.dedup();
    widths.iter().map(|w| format!("{} {w}w", picture_url(&format!("{stem}-w{w}.webp")))).chain(std::iter::once(full)).collect::<Vec<_>>().join(", ")
}

/// The owner's infograph that can be shared: theirs, not deleted, completed.
async fn shareable(state: &AppState, owner: &UserRow, id: &str) -> Result<InfographRow, AppError> {
    let row = jobs::owned(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)?;
    if row.status() != JobStatus::Completed {
        return Err(AppError::Conflict("only a finished infographic can be shared".into()));
    }
    Ok(row)
}

/// Shares the owner's infograph: its live link, made if there is none (so calling it twice gives
/// the same link). `indexable`, when given, says whether search engines may index the page.
pub async fn share(state: &AppState, owner: &UserRow, id: &str, indexable: Option<bool>) -> Result<ShareView, AppError> {
    let row = shareable(state, owner, id).await?;
    let mut share = repo::create_or_get(&state.db, &random_token(""), &row.id, &owner.id, indexable.unwrap_or(false)).await?;
    if let Some(indexable) = indexable.filter(|wanted| i64::from(*wanted) != share.indexable) {
        repo::set_indexable(&state.db, &share.token, indexable).await?;
        share.indexable = i64::from(indexable);
    }
    Ok(view(state, &share, &row))
}

/// Ends the owner's link to `id`, if it has one (done twice: nothing more happens).
pub async fn revoke(state: &AppState, owner: &UserRow, id: &str) -> Result<(), AppError> {
    let row = jobs::owned(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)?;
    repo::revoke(&state.db, &row.id).await?;
    Ok(())
}

/// The live link of the owner's infograph `row`, if any.
pub async fn live_view(state: &AppState, row: &InfographRow) -> Result<Option<ShareView>, AppError> {
    Ok(repo::live_for(&state.db, &row.id).await?.map(|share| view(state, &share, row)))
}

/// The public URL of the infograph's live link, if it has one.
pub async fn live_url(state: &AppState, id: &str) -> Result<Option<String>, AppError> {
    Ok(repo::live_for(&state.db, id).await?.map(|share| format!("{}{}", state.public_base_url, page_path(&share.token))))
}

/// The public URLs of a user's live links, by infograph id (for their status JSON).
pub async fn live_urls(state: &AppState, user_id: &str) -> Result<std::collections::HashMap<String, String>, AppError> {
    let base = &state.public_base_url;
    Ok(repo::live_tokens(&state.db, user_id)
        .await?
        .into_iter()
        .map(|(id, token)| (id, format!("{base}{}", page_path(&token))))
        .collect())
}

/// What a link's public page shows, and nothing more: never the owner, the brief or credits.
#[derive(Debug, Clone)]
pub struct PublicShare {
    pub token: String,
    pub title: String,
    pub alt_text: String,
    pub blog_url: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// The picture's file name under the link (`None` until our copy exists).
    pub image_file: Option<String>,
    /// A 1200 px wide JPEG for link previews.
    pub preview_file: Option<String>,
    pub indexable: bool,
}

/// The live link `token` and its infograph; a revoked link or a deleted infograph is gone.
async fn live_link(state: &AppState, token: &str) -> Result<(ShareRow, InfographRow), AppError> {
    let share = repo::by_token(&state.db, token).await?.ok_or(AppError::NotFound)?;
    let gone = || AppError::Gone("this link has been turned off by its owner".into());
    if share.revoked_at.is_some() {
        return Err(gone());
    }
    let row = jobs::by_id(&state.db, &share.infograph_id).await?.ok_or(AppError::NotFound)?;
    if row.deleted_at.is_some() {
        return Err(gone());
    }
    Ok((share, row))
}

/// The public page's content; counts the view.
pub async fn public_page(state: &AppState, token: &str) -> Result<PublicShare, AppError> {
    let (share, row) = live_link(state, token).await?;
    repo::count_view(&state.db, &share.token).await?;
    let view = row.view();
    Ok(PublicShare {
        token: share.token.clone(),
        title: view.title.clone(),
        alt_text: view.alt_text,
        blog_url: row.blog_url.clone(),
        width: row.width,
        height: row.height,
        image_file: image_file(&row, None),
        preview_file: image_file(&row, Some("-w1200.jpg")),
        indexable: share.indexable == 1,
    })
}

/// The stored file `file` (the picture or one of its renditions) behind a live link, whether
/// the link may be indexed, and the infograph's id.
pub async fn public_file(state: &AppState, token: &str, file: &str) -> Result<(MediaFile, bool, String), AppError> {
    let (share, row) = live_link(state, token).await?;
    // The link proves the right to this infograph's files: no owner to check.
    let found = files::media_file(&state.db, None, &row.id, file).await?.ok_or(AppError::NotFound)?;
    Ok((found, share.indexable == 1, row.id))
}

//! The landing page's pictures: shared infographics an admin chose to feature, newest featured
//! first, and the examples kept as files in `public/examples/` filling the places left (never a
//! picture drawn at run time). A featured infographic is shown while its link is live and the
//! picture is finished, stored and not deleted: revoking the link or deleting the picture takes
//! it off the page at once, and sharing it again makes a new link, which is not featured.

use crate::errors::AppError;
use crate::model::showcase::{AdminShare, Featured, LANDING_PICTURES};
use crate::model::JobStatus;
use crate::server::accounts::users::UserRow;
use crate::server::admin::require_admin;
use crate::server::jobs::repo::{self as jobs, InfographRow};
use crate::server::platform::db::{now_ms, Db};
use crate::server::platform::state::AppState;
use crate::server::sharing::{self, repo as shares};

/// How many shares the admin dashboard lists (the featured ones first, then the newest).
pub const ADMIN_SHARES: i64 = 25;

/// Live links to finished, stored, not deleted pictures: the only ones the landing page shows.
const SHOWABLE: &str = "s.revoked_at IS NULL AND i.deleted_at IS NULL AND i.status = 'completed' AND i.stored_at IS NOT NULL";

/// What the landing page shows of the featured infographics: the newest featured that can be
/// shown, at most [`LANDING_PICTURES`].
pub async fn featured(db: &Db) -> Result<Vec<Featured>, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT s.token, s.infograph_id FROM shares s JOIN infographs i ON i.id = s.infograph_id \
         WHERE s.featured_at IS NOT NULL AND {SHOWABLE} ORDER BY s.featured_at DESC, s.token LIMIT $1"
    ))
    .bind(LANDING_PICTURES as i64)
    .fetch_all(db.read())
    .await?;
    let mut shown = Vec::with_capacity(rows.len());
    for (token, id) in rows {
        if let Some(item) = jobs::by_id(db, &id).await?.and_then(|row| landing_view(&token, &row)) {
            shown.push(item);
        }
    }
    Ok(shown)
}

/// A featured picture as the landing page links it: through its share's public URLs, which
/// anyone may open. `None` when our copy of the picture is not there.
fn landing_view(token: &str, row: &InfographRow) -> Option<Featured> {
    let page = sharing::page_path(token);
    let file = sharing::image_file(row, None)?;
    let view = row.view();
    let (width, height) = (row.width.and_then(|w| u32::try_from(w).ok()), row.height.and_then(|h| u32::try_from(h).ok()));
    let picture_url = |file: &str| format!("{page}/{file}");
    // For browsers without WebP: a JPEG the width of a column at twice the pixel density, not
    // the full PNG (several MB at 4K).
    let fallback = sharing::image_file(row, Some("-w600.jpg"))?;
    Some(Featured {
        image_url: picture_url(&fallback),
        webp_srcset: sharing::webp_srcset(&file, width, &picture_url),
        page_url: page.clone(),
        title: view.title,
        alt: view.alt_text,
        width,
        height,
    })
}

/// The live shares an admin may feature or unfeature: every featured one, then the newest.
pub async fn recent_shares(db: &Db) -> Result<Vec<AdminShare>, AppError> {
    let rows: Vec<(String, String, String, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT s.token, s.infograph_id, u.email, s.created_at, s.views, s.featured_at \
         FROM shares s JOIN infographs i ON i.id = s.infograph_id JOIN users u ON u.id = s.user_id \
         WHERE s.revoked_at IS NULL AND i.deleted_at IS NULL \
         ORDER BY CASE WHEN s.featured_at IS NULL THEN 1 ELSE 0 END, s.featured_at DESC, s.created_at DESC, s.token LIMIT $1",
    )
    .bind(ADMIN_SHARES)
    .fetch_all(db.read())
    .await?;
    let on_landing: Vec<String> = featured(db).await?.into_iter().map(|f| f.page_url).collect();
    let mut list = Vec::with_capacity(rows.len());
    for (token, id, owner_email, shared_at, views, featured_at) in rows {
        let Some(row) = jobs::by_id(db, &id).await? else { continue };
        let page_url = sharing::page_path(&token);
        let thumbnail = row.thumbnail_url.as_deref().filter(|_| row.stored_at.is_some()).and_then(|url| url.rsplit('/').next());
        list.push(AdminShare {
            infograph_id: id,
            thumbnail_url: thumbnail.map(|file| format!("{page_url}/{file}")),
            title: row.name(),
            owner_email,
            shared_at,
            views,
            featured_at,
            featurable: row.status() == JobStatus::Completed && sharing::image_file(&row, None).is_some(),
            on_landing: on_landing.contains(&page_url),
            page_url,
        });
    }
    Ok(list)
}

/// Features the infograph's live link on the landing page (featured already: nothing changes,
/// its place is kept). Refused, with the reason, for a picture that is not finished, stored
/// and shared.
pub async fn feature(state: &AppState, admin: &UserRow, id: &str) -> Result<(), AppError> {
    require_admin(admin)?;
    let row = jobs::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if row.deleted_at.is_some() {
        return Err(AppError::Conflict("this infographic was deleted by its owner: it cannot be featured".into()));
    }
    if row.status() != JobStatus::Completed {
        return Err(AppError::Conflict(format!("only a finished infographic can be featured: this one is {}", row.status())));
    }
    let not_shared = || AppError::Conflict("only a shared infographic can be featured: its owner has not shared this one, or stopped sharing it".into());
    let share = shares::live_for(&state.db, &row.id).await?.ok_or_else(not_shared)?;
    if sharing::image_file(&row, None).is_none() {
        return Err(AppError::Conflict("its picture is not in our storage yet: try again in a minute".into()));
    }
    let w = state.db.write().await;
    // Later than every other, even within the same millisecond: "newest featured first" is the
    // order the admin featured them in.
    let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(featured_at) FROM shares").fetch_one(w.pool()).await?;
    let done = sqlx::query("UPDATE shares SET featured_at = COALESCE(featured_at, $1) WHERE token = $2 AND revoked_at IS NULL")
        .bind(now_ms().max(latest.unwrap_or(0) + 1))
        .bind(&share.token)
        .execute(w.pool())
        .await?;
    // Revoked between the read and the write.
    if done.rows_affected() == 0 {
        return Err(not_shared());
    }
    tracing::info!(infograph = %row.id, admin = %admin.id, "featured on the landing page");
    Ok(())
}

/// Takes the infograph off the landing page (not featured: nothing happens).
pub async fn unfeature(state: &AppState, admin: &UserRow, id: &str) -> Result<(), AppError> {
    require_admin(admin)?;
    let row = jobs::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let w = state.db.write().await;
    sqlx::query("UPDATE shares SET featured_at = NULL WHERE infograph_id = $1 AND featured_at IS NOT NULL")
        .bind(&row.id)
        .execute(w.pool())
        .await?;
    tracing::info!(infograph = %row.id, admin = %admin.id, "taken off the landing page");
    Ok(())
}

/// The example files: drawn once by the fal emulator's renderer and kept in the repository, so
/// no server draws them. To draw them again (after changing an example or the renderer):
/// `cargo test -p app --no-default-features --features ssr --lib -- --ignored draw_the_example_files`.
#[cfg(test)]
mod example_files {
    use crate::model::showcase::{Example, EXAMPLES};
    use crate::server::delivery::renditions::{self, Format};
    use crate::server::fal::emulator::image::{render, Picture};
    use std::path::PathBuf;

    fn path(example: &Example, format: Format) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../public").join(example.url(format.extension()).trim_start_matches('/'))
    }

    #[test]
    #[ignore = "writes public/examples: run it to draw the examples again"]
    fn draw_the_example_files() {
        for example in &EXAMPLES {
            let picture = Picture {
                width: example.width,
                height: example.height,
                seed: example.seed,
                title: example.title.to_string(),
                lines: example.lines.iter().map(|l| l.to_string()).collect(),
                ..Picture::default()
            };
            let pixels = image::load_from_memory(&render(&picture).expect("drawn")).expect("decodes");
            for format in [Format::Jpeg, Format::WebP] {
                let file = path(example, format);
                std::fs::create_dir_all(file.parent().expect("folder")).expect("folder");
                std::fs::write(&file, renditions::encode(&pixels, format).expect("encoded")).expect("written");
                println!("{}", file.display());
            }
        }
    }

    #[test]
    fn every_example_is_a_file_at_its_size_in_both_formats() {
        for example in &EXAMPLES {
            for (format, kind) in [(Format::Jpeg, image::ImageFormat::Jpeg), (Format::WebP, image::ImageFormat::WebP)] {
                let file = path(example, format);
                let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                assert_eq!(image::guess_format(&bytes).ok(), Some(kind), "{}", file.display());
                let img = image::load_from_memory(&bytes).expect("decodes");
                assert_eq!((img.width(), img.height()), (example.width, example.height), "{}", file.display());
                // Small enough for a landing page: the renderer's flat shapes compress well.
                assert!(bytes.len() < 200_000, "{}: {} bytes", file.display(), bytes.len());
            }
        }
    }
}

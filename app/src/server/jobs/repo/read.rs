//! Reads of `infographs`, for anyone.

use super::row::{InfographRow, COLUMNS};
use crate::server::platform::db::{plausible_id, Db};

pub async fn by_id(db: &Db, id: &str) -> Result<Option<InfographRow>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as::<_, InfographRow>(&format!("SELECT {COLUMNS} FROM infographs WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.read())
        .await
}

/// Ownership is part of the query: another user's id is indistinguishable from a missing one.
pub async fn owned(db: &Db, user_id: &str, id: &str) -> Result<Option<InfographRow>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as::<_, InfographRow>(&format!(
        "SELECT {COLUMNS} FROM infographs WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(db.read())
    .await
}

/// The user's newest infographs (deleted ones left out).
pub async fn list_owned(db: &Db, user_id: &str, limit: i64) -> Result<Vec<InfographRow>, sqlx::Error> {
    sqlx::query_as::<_, InfographRow>(&format!(
        "SELECT {COLUMNS} FROM infographs WHERE user_id = $1 AND deleted_at IS NULL \
         ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(limit)
    .fetch_all(db.read())
    .await
}

/// The user's gallery: the newest version of each family, with how many versions it has.
pub async fn list_families(db: &Db, user_id: &str, limit: i64) -> Result<Vec<(InfographRow, i64)>, sqlx::Error> {
    let columns = COLUMNS.split(", ").map(|c| format!("i.{c}")).collect::<Vec<_>>().join(", ");
    let rows: Vec<FamilyRow> = sqlx::query_as(&format!(
        "SELECT {columns}, (SELECT COUNT(*) FROM infographs f WHERE f.family_id = i.family_id AND f.deleted_at IS NULL) AS versions \
         FROM infographs i WHERE i.user_id = $1 AND i.deleted_at IS NULL \
         AND i.id = (SELECT g.id FROM infographs g WHERE g.family_id = i.family_id AND g.deleted_at IS NULL \
                     ORDER BY g.created_at DESC, g.id DESC LIMIT 1) \
         ORDER BY i.created_at DESC, i.id DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(limit)
    .fetch_all(db.read())
    .await?;
    Ok(rows.into_iter().map(|r| (r.row, r.versions)).collect())
}

#[derive(sqlx::FromRow)]
struct FamilyRow {
    #[sqlx(flatten)]
    row: InfographRow,
    versions: i64,
}

/// Every version of the family `id` belongs to, oldest first, if it is `user_id`'s.
pub async fn family_of(db: &Db, user_id: &str, id: &str) -> Result<Option<Vec<InfographRow>>, sqlx::Error> {
    let Some(row) = owned(db, user_id, id).await? else { return Ok(None) };
    let family = row.family_id.clone().unwrap_or_else(|| row.id.clone());
    let rows = sqlx::query_as::<_, InfographRow>(&format!(
        "SELECT {COLUMNS} FROM infographs WHERE family_id = $1 AND user_id = $2 AND deleted_at IS NULL ORDER BY created_at, id"
    ))
    .bind(family)
    .bind(user_id)
    .fetch_all(db.read())
    .await?;
    Ok(Some(rows))
}

/// Jobs still running that were created (or submitted) before `before`.
pub async fn running_since_before(db: &Db, before: i64, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM infographs WHERE status IN ('queued', 'processing') \
         AND COALESCE(submitted_at, created_at) < $1 LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(db.read())
    .await
}

/// Submission-to-completion times of the newest completions at `resolution` since `since`.
pub async fn recent_durations(db: &Db, resolution: &str, since: i64, limit: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT completed_at - submitted_at FROM infographs \
         WHERE status = 'completed' AND resolution = $1 AND completed_at > $2 AND submitted_at IS NOT NULL \
         ORDER BY completed_at DESC LIMIT $3",
    )
    .bind(resolution)
    .bind(since)
    .bind(limit)
    .fetch_all(db.read())
    .await
}

/// The object keys of job `id`'s stored image and thumbnail, if the job is `owner`'s (`None`:
/// whoever's it is).
pub async fn stored_keys(db: &Db, owner: Option<&str>, id: &str) -> Result<Option<(Option<String>, Option<String>)>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as("SELECT stored_image_key, stored_thumb_key FROM infographs WHERE id = $1 AND ($2 IS NULL OR user_id = $2)")
        .bind(id)
        .bind(owner)
        .fetch_optional(db.read())
        .await
}

/// Whether the family's one free fix (`proofread_fix = 2`) has been asked for.
pub async fn free_fix_used(db: &Db, family_id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM infographs WHERE family_id = $1 AND proofread_fix = 2")
        .bind(family_id)
        .fetch_one(db.read())
        .await?;
    Ok(n > 0)
}

/// Where a layered version's background is stored (its `layers`' `background_key`), if the
/// version is `owner`'s (`None`: any owner, as for `stored_keys`).
pub async fn background_key(db: &Db, owner: Option<&str>, id: &str) -> Result<Option<String>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    let layers: Option<Option<String>> = sqlx::query_scalar("SELECT layers FROM infographs WHERE id = $1 AND ($2 IS NULL OR user_id = $2)")
        .bind(id)
        .bind(owner)
        .fetch_optional(db.read())
        .await?;
    let key = layers.flatten().and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok()).and_then(|v| v["background_key"].as_str().map(str::to_string));
    Ok(key)
}

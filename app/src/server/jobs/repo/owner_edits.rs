//! What an owner changes on their infographs: the alt text, the family's name, and hiding one.
//! Each is guarded by ownership: another user's id changes nothing.

use super::transition::changed_one;
use crate::server::platform::db::{now_ms, plausible_id, Db};

/// Sets (or with `None`, clears) the owner's alt text. `false` when it is not theirs.
pub(in crate::server::jobs) async fn set_alt_text(db: &Db, user_id: &str, id: &str, text: Option<&str>) -> Result<bool, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(false);
    }
    let w = db.write().await;
    changed_one(&w, sqlx::query(
        "UPDATE infographs SET alt_text = $1, updated_at = $2, version = version + 1 \
         WHERE id = $3 AND user_id = $4 AND deleted_at IS NULL",
    )
    .bind(text)
    .bind(now_ms())
    .bind(id)
    .bind(user_id))
    .await
}

/// Names every version of the family `id` belongs to. `false` when it is not the owner's.
pub(in crate::server::jobs) async fn set_family_title(db: &Db, user_id: &str, id: &str, title: &str) -> Result<bool, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(false);
    }
    let w = db.write().await;
    let renamed = sqlx::query(
        "UPDATE infographs SET title = $1, updated_at = $2, version = version + 1 \
         WHERE user_id = $4 AND deleted_at IS NULL AND COALESCE(family_id, id) = \
               (SELECT COALESCE(family_id, id) FROM infographs WHERE id = $3 AND user_id = $4 AND deleted_at IS NULL)",
    )
    .bind(title)
    .bind(now_ms())
    .bind(id)
    .bind(user_id)
    .execute(w.pool())
    .await?;
    Ok(renamed.rows_affected() > 0)
}

/// Hides an infograph from its owner. `false` when it is not theirs or already hidden.
pub(in crate::server::jobs) async fn hide(db: &Db, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(false);
    }
    let now = now_ms();
    let w = db.write().await;
    changed_one(&w, sqlx::query(
        "UPDATE infographs SET deleted_at = $1, updated_at = $1, version = version + 1 \
         WHERE id = $2 AND user_id = $3 AND deleted_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(user_id))
    .await
}

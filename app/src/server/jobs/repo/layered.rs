//! Layered versions (`server::layers`): a text edit is born completed (no model, our own
//! rendering already stored), and a layered version's layers learn where its background is
//! stored. Neither changes a status.

use super::new_job::NewJob;
use super::row::{InfographRow, COLUMNS};
use super::stored_copy::Stored;
use crate::model::JobStatus::Completed;
use crate::server::platform::db::{now_ms, Conn, Db};

/// A text edit's row (`id` chosen by the caller, who stored its rendering under it): completed
/// at once, inside the caller's transaction.
pub(in crate::server) async fn insert_text_edit(conn: &mut Conn, id: &str, job: &NewJob<'_>, stored: &Stored, layers: &str) -> Result<InfographRow, sqlx::Error> {
    let now = now_ms();
    sqlx::query_as::<_, InfographRow>(&format!(
        "INSERT INTO infographs (id, user_id, batch_id, user_prompt, aspect_ratio, resolution, cost, status, \
         created_at, updated_at, submitted_at, completed_at, parent_id, family_id, instruction, layout, style, language, \
         title, alt_text, kind, layers, image_url, thumbnail_url, stored_image_key, stored_thumb_key, width, height, stored_at, model) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, '{}', $8, $8, $8, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $8, $25) \
         RETURNING {COLUMNS}",
        Completed.as_str()
    ))
    .bind(id)
    .bind(job.user_id)
    .bind(job.batch_id)
    .bind(job.prompt)
    .bind(job.aspect_ratio)
    .bind(job.resolution)
    .bind(job.cost)
    .bind(now)
    .bind(job.parent_id)
    .bind(job.family_id)
    .bind(job.instruction)
    .bind(job.design.layout)
    .bind(job.design.style)
    .bind(job.design.language)
    .bind(job.title)
    .bind(job.alt_text)
    .bind(job.kind.as_str())
    .bind(layers)
    .bind(&stored.image_url)
    .bind(&stored.thumbnail_url)
    .bind(&stored.image_key)
    .bind(&stored.thumb_key)
    .bind(stored.width)
    .bind(stored.height)
    .bind(job.model)
    .fetch_one(conn)
    .await
}

/// A layered version's layers, once its background is stored (the image copier).
pub(in crate::server) async fn set_layers(db: &Db, id: &str, layers: &str) -> Result<(), sqlx::Error> {
    let w = db.write().await;
    sqlx::query("UPDATE infographs SET layers = $1 WHERE id = $2").bind(layers).bind(id).execute(w.pool()).await?;
    Ok(())
}

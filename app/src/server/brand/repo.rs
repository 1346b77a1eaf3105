//! The `brand_kits` table. At most one default kit per user (a partial unique index): making one
//! the default clears the others in the same transaction.

use crate::model::design::{BrandKitView, FontMood};
use crate::server::platform::db::{now_ms, plausible_id, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BrandKitRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub colors: String,
    pub font_mood: String,
    pub tone: String,
    pub logo_key: Option<String>,
    pub is_default: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, user_id, name, colors, font_mood, tone, logo_key, is_default, created_at, updated_at";

impl BrandKitRow {
    pub fn colors(&self) -> Vec<String> {
        self.colors.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect()
    }

    pub fn font_mood(&self) -> FontMood {
        // The CHECK constraint keeps the column to the known moods.
        FontMood::parse(&self.font_mood).unwrap_or(FontMood::ModernSans)
    }

    /// The owner's view; `logo_url` is where the owner's browser gets the logo.
    pub fn view(&self) -> BrandKitView {
        BrandKitView {
            id: self.id.clone(),
            name: self.name.clone(),
            colors: self.colors(),
            font_mood: self.font_mood(),
            tone: self.tone.clone(),
            logo_url: self.logo_key.as_ref().and_then(|key| key.rsplit('/').next()).map(|file| format!("{}/{file}", super::logo_path(&self.id))),
            is_default: self.is_default == 1,
            created_at: self.created_at,
        }
    }
}

/// A kit's editable fields.
pub struct KitFields<'a> {
    pub name: &'a str,
    pub colors: &'a [String],
    pub font_mood: FontMood,
    pub tone: &'a str,
    pub is_default: bool,
}

pub async fn owned(db: &Db, user_id: &str, id: &str) -> Result<Option<BrandKitRow>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM brand_kits WHERE id = $1 AND user_id = $2"))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db.read())
        .await
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<BrandKitRow>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM brand_kits WHERE id = $1")).bind(id).fetch_optional(db.read()).await
}

pub async fn list(db: &Db, user_id: &str) -> Result<Vec<BrandKitRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM brand_kits WHERE user_id = $1 ORDER BY created_at, id"))
        .bind(user_id)
        .fetch_all(db.read())
        .await
}

/// How many kits a user has (they are limited).
pub async fn count(db: &Db, user_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM brand_kits WHERE user_id = $1").bind(user_id).fetch_one(db.read()).await
}

pub async fn insert(db: &Db, id: &str, user_id: &str, f: &KitFields<'_>) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let w = db.write().await;
    let mut tx = w.begin().await?;
    if f.is_default {
        sqlx::query("UPDATE brand_kits SET is_default = 0 WHERE user_id = $1 AND is_default = 1").bind(user_id).execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO brand_kits (id, user_id, name, colors, font_mood, tone, is_default, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id)
    .bind(user_id)
    .bind(f.name)
    .bind(f.colors.join(","))
    .bind(f.font_mood.as_str())
    .bind(f.tone)
    .bind(i64::from(f.is_default))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Writes every field of the owner's kit `id`. `false` when it is not theirs.
pub async fn update(db: &Db, user_id: &str, id: &str, f: &KitFields<'_>) -> Result<bool, sqlx::Error> {
    let w = db.write().await;
    let mut tx = w.begin().await?;
    if f.is_default {
        sqlx::query("UPDATE brand_kits SET is_default = 0 WHERE user_id = $1 AND is_default = 1 AND id <> $2")
            .bind(user_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let done = sqlx::query(
        "UPDATE brand_kits SET name = $1, colors = $2, font_mood = $3, tone = $4, is_default = $5, updated_at = $6 \
         WHERE id = $7 AND user_id = $8",
    )
    .bind(f.name)
    .bind(f.colors.join(","))
    .bind(f.font_mood.as_str())
    .bind(f.tone)
    .bind(i64::from(f.is_default))
    .bind(now_ms())
    .bind(id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 1 {
        tx.commit().await?;
        Ok(true)
    } else {
        tx.rollback().await?;
        Ok(false)
    }
}

pub async fn set_logo(db: &Db, user_id: &str, id: &str, logo_key: &str) -> Result<bool, sqlx::Error> {
    let w = db.write().await;
    let done = sqlx::query("UPDATE brand_kits SET logo_key = $1, updated_at = $2 WHERE id = $3 AND user_id = $4")
        .bind(logo_key)
        .bind(now_ms())
        .bind(id)
        .bind(user_id)
        .execute(w.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(db: &Db, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(false);
    }
    let w = db.write().await;
    let done = sqlx::query("DELETE FROM brand_kits WHERE id = $1 AND user_id = $2").bind(id).bind(user_id).execute(w.pool()).await?;
    Ok(done.rows_affected() == 1)
}

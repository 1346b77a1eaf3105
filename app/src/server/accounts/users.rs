//! Accounts: sign-up (with its credits) and sign-in. Passwords are argon2id hashes (see
//! [`super::passwords`]); a user's credit balance lives on the row and moves only through the
//! ledger (`billing::ledger`).

use super::passwords::{self, PasswordError};
use crate::errors::AppError;
use crate::model::AccountView;
use crate::server::billing::ledger;
use crate::server::platform::db::{new_id, now_ms, plausible_id, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    /// 0 or 1 (see the migration).
    pub is_admin: i64,
    pub credit_balance: i64,
    pub created_at: i64,
}

impl UserRow {
    pub fn admin(&self) -> bool {
        self.is_admin != 0
    }

    /// What the browser may see of the account (never the password hash).
    pub fn account_view(&self) -> AccountView {
        AccountView { email: self.email.clone(), credit_balance: self.credit_balance, is_admin: self.admin() }
    }
}

/// The columns of [`UserRow`], for queries that join `users u`.
pub const USER_COLUMNS: &str = "u.id, u.email, u.password_hash, u.is_admin, u.credit_balance, u.created_at";

pub async fn by_id(db: &Db, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
    if !plausible_id(id) {
        return Ok(None);
    }
    sqlx::query_as::<_, UserRow>(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(db.read())
        .await
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    // PostgreSQL text cannot hold NUL: such an email is nobody's, not a database error.
    if email.contains('\0') {
        return Ok(None);
    }
    sqlx::query_as::<_, UserRow>(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1"))
        .bind(email)
        .fetch_optional(db.read())
        .await
}

pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err(AppError::invalid_field("email", "must be a valid email address"))
    }
}

fn password_error(err: PasswordError) -> AppError {
    match err {
        PasswordError::Hashing(reason) => {
            tracing::error!(%reason, "password hashing failed");
            AppError::Internal
        }
        policy => AppError::invalid_field("password", policy.to_string()),
    }
}

/// Inserts the account; `None` when the email is taken.
async fn insert(
    conn: &mut crate::server::platform::db::Conn,
    email: &str,
    password_hash: &str,
    credits: i64,
    is_admin: bool,
    now: i64,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as::<_, UserRow>(
        "INSERT INTO users (id, email, password_hash, is_admin, credit_balance, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING \
         RETURNING id, email, password_hash, is_admin, credit_balance, created_at",
    )
    .bind(new_id())
    .bind(email)
    .bind(password_hash)
    .bind(i64::from(is_admin))
    .bind(credits)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// Creates an account with `credits` on a `signup` ledger row, in one transaction.
pub async fn register(db: &Db, email: &str, password: &str, credits: i64, is_admin: bool) -> Result<UserRow, AppError> {
    let email = normalize_email(email)?;
    passwords::check_policy(password).map_err(password_error)?;
    let password_hash = passwords::hash(password.to_string()).await.map_err(password_error)?;
    let now = now_ms();
    let w = db.write().await;
    let mut tx = w.begin().await?;
    let Some(user) = insert(&mut tx, &email, &password_hash, credits, is_admin, now).await? else {
        tx.rollback().await?;
        return Err(AppError::invalid_field("email", "is already registered"));
    };
    if credits > 0 {
        ledger::record_signup(&mut tx, &user.id, credits, now).await?;
    }
    tx.commit().await?;
    Ok(user)
}

pub async fn authenticate(db: &Db, email: &str, password: &str) -> Result<UserRow, AppError> {
    let user = by_email(db, &email.trim().to_lowercase()).await?;
    let verified = passwords::verify(user.as_ref().map(|u| u.password_hash.clone()), password.to_string()).await;
    user.filter(|_| verified).ok_or(AppError::BadCredentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(normalize_email(" Ann@Example.COM ").ok().as_deref(), Some("ann@example.com"));
        for bad in ["", "ann", "@example.com", "ann@example", "ann @example.com", "ann@.com"] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }
}

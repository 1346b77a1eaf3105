//! Accounts: sign-up (with its credits) and sign-in. Passwords are argon2id hashes (see
//! [`super::passwords`]); a user's credit balance lives on the row and moves only through the
//! ledger (`billing::ledger`).

use super::passwords::{self, PasswordError};
use crate::errors::AppError;
use crate::model::AccountView;
use crate::server::billing::ledger;
use crate::server::platform::db::{new_id, now_ms, plausible_id, Conn, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    /// 0 or 1 (see the migration).
    pub is_admin: i64,
    pub credit_balance: i64,
    pub created_at: i64,
    /// When the owner confirmed the address; sign-up credits come with it.
    pub email_verified_at: Option<i64>,
}

impl UserRow {
    pub fn admin(&self) -> bool {
        self.is_admin != 0
    }

    pub fn verified(&self) -> bool {
        self.email_verified_at.is_some()
    }

    /// What the browser may see of the account (never the password hash).
    pub fn account_view(&self) -> AccountView {
        AccountView {
            email: self.email.clone(),
            credit_balance: self.credit_balance,
            is_admin: self.admin(),
            email_verified: self.verified(),
        }
    }
}

/// The columns of [`UserRow`], for queries that join `users u`.
pub const USER_COLUMNS: &str =
    "u.id, u.email, u.password_hash, u.is_admin, u.credit_balance, u.created_at, u.email_verified_at";

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

/// A policy failure as an error naming the `password` field; a hashing failure as an internal one.
pub(super) fn password_error(err: PasswordError) -> AppError {
    match err {
        PasswordError::Hashing(reason) => {
            tracing::error!(%reason, "password hashing failed");
            AppError::Internal
        }
        policy => AppError::invalid_field("password", policy.to_string()),
    }
}

/// An account about to be made.
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// Credits on the balance from the start (moved there by the ledger, in the same transaction).
    pub credits: i64,
    pub admin: bool,
    /// The operator vouches for the address (`infograph user add`): no confirmation needed.
    pub verified: bool,
}

/// Inserts the account, with no credits yet; `None` when the email is taken.
async fn insert(conn: &mut Conn, email: &str, password_hash: &str, account: &NewAccount<'_>, now: i64) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as::<_, UserRow>(
        "INSERT INTO users (id, email, password_hash, is_admin, created_at, email_verified_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING \
         RETURNING id, email, password_hash, is_admin, credit_balance, created_at, email_verified_at",
    )
    .bind(new_id())
    .bind(email)
    .bind(password_hash)
    .bind(i64::from(account.admin))
    .bind(now)
    .bind(account.verified.then_some(now))
    .fetch_optional(conn)
    .await
}

/// Creates an account, with its credits on a `signup` ledger row, in one transaction. `None`
/// when the email is taken; the password is hashed either way, so both answers take as long.
pub async fn create(db: &Db, account: &NewAccount<'_>) -> Result<Option<UserRow>, AppError> {
    let email = normalize_email(account.email)?;
    passwords::check_policy(account.password).map_err(password_error)?;
    let password_hash = passwords::hash(account.password.to_string()).await.map_err(password_error)?;
    let now = now_ms();
    let w = db.write().await;
    let mut tx = w.begin().await?;
    let Some(mut user) = insert(&mut tx, &email, &password_hash, account, now).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    if account.credits != 0 {
        user.credit_balance = ledger::credit_signup(&mut tx, &user.id, account.credits, now).await?;
    }
    tx.commit().await?;
    Ok(Some(user))
}

/// An account made by the operator (`infograph user add`, tests): verified from the start; a
/// taken email is an error naming the field.
pub async fn register(db: &Db, email: &str, password: &str, credits: i64, admin: bool) -> Result<UserRow, AppError> {
    create(db, &NewAccount { email, password, credits, admin, verified: true })
        .await?
        .ok_or_else(|| AppError::invalid_field("email", "is already registered"))
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

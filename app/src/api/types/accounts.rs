//! Accounts, passwords and API tokens.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Credentials {
    #[schema(format = "email", max_length = 254, example = "ada@example.com")]
    pub email: String,
    /// 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128, example = "correct horse battery")]
    pub password: String,
}

/// Asks for a password reset link.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PasswordResetRequest {
    #[schema(format = "email", max_length = 254, example = "ada@example.com")]
    pub email: String,
}

/// Sets a new password through a reset link.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PasswordResetConfirm {
    /// The `token` query parameter of the emailed link.
    pub token: String,
    /// The new password: 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128, example = "correct horse battery staple")]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct AccountJson {
    pub email: String,
    pub credit_balance: i64,
    /// The address is confirmed (the sign-up credits come with it).
    pub email_verified: bool,
    /// Emails when a job completes or fails (opt-in).
    pub notify_email: bool,
}

/// `PATCH /api/account/`: the settings that can be changed.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AccountPatch {
    pub notify_email: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Registered {
    /// Shown once: send it as `Authorization: Token <token>`.
    pub token: String,
    pub email: String,
    /// 0 until the address is confirmed.
    pub credit_balance: i64,
    /// `false`: follow the link we emailed to confirm the address and get the sign-up credits.
    pub email_verified: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Sent {
    pub sent: bool,
}

/// A new API token: its secret, shown this once, and how the token list names it.
#[derive(Serialize, ToSchema)]
pub struct TokenJson {
    pub token: String,
    pub id: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    pub tokens: Vec<crate::model::ApiTokenView>,
}

//! Accounts, passwords and API tokens.

use crate::model::{field, FieldErrors};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

// The required fields below are optional in Rust so that a missing one is refused in words, with
// the other fields' problems; `validate` says which.

#[derive(Default, Serialize, Deserialize, ToSchema)]
pub struct Credentials {
    #[serde(default, deserialize_with = "credential")]
    #[schema(required = true, value_type = String, format = "email", max_length = 254, example = "ada@example.com")]
    pub email: Option<String>,
    /// 8 to 128 characters.
    #[serde(default, deserialize_with = "credential")]
    #[schema(required = true, value_type = String, min_length = 8, max_length = 128, example = "correct horse battery")]
    pub password: Option<String>,
}

/// Only a string is a credential: any other value is none, "required" like a missing one.
fn credential<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(field::text(serde_json::Value::deserialize(deserializer)?).ok().flatten())
}

impl Credentials {
    /// The email and the password, or which of them is missing.
    pub fn validate(&self) -> Result<(String, String), FieldErrors> {
        let [email, password] = all_given([("email", &self.email), ("password", &self.password)])?;
        Ok((email, password))
    }
}

/// `POST /api/auth/token/`: the account's credentials, and what to call the new key.
#[derive(Default, Serialize, Deserialize, ToSchema)]
pub struct TokenRequest {
    #[serde(flatten)]
    pub credentials: Credentials,
    /// How the key list names it, at most 60 characters (unnamed keys are numbered: `Token 2`).
    #[serde(default, deserialize_with = "field::text")]
    #[schema(required = false, max_length = 60, example = "Build script")]
    pub name: Option<String>,
}

/// Asks for a password reset link.
#[derive(Default, Serialize, Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    #[serde(default, deserialize_with = "field::text")]
    #[schema(required = true, value_type = String, format = "email", max_length = 254, example = "ada@example.com")]
    pub email: Option<String>,
}

impl PasswordResetRequest {
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let [email] = all_given([("email", &self.email)])?;
        Ok(email)
    }
}

/// Sets a new password through a reset link.
#[derive(Default, Serialize, Deserialize, ToSchema)]
pub struct PasswordResetConfirm {
    /// The `token` query parameter of the emailed link.
    #[serde(default, deserialize_with = "field::text")]
    #[schema(required = true, value_type = String)]
    pub token: Option<String>,
    /// The new password: 8 to 128 characters.
    #[serde(default, deserialize_with = "field::text")]
    #[schema(required = true, value_type = String, min_length = 8, max_length = 128, example = "correct horse battery staple")]
    pub password: Option<String>,
}

impl PasswordResetConfirm {
    /// The link's token and the new password, or which of them is missing.
    pub fn validate(&self) -> Result<(String, String), FieldErrors> {
        let [token, password] = all_given([("token", &self.token), ("password", &self.password)])?;
        Ok((token, password))
    }
}

/// The named values, each required: missing or empty is "is required" (the policy checks the rest).
fn all_given<const N: usize>(fields: [(&str, &Option<String>); N]) -> Result<[String; N], FieldErrors> {
    let mut errors = FieldErrors::new();
    let values = fields.map(|(name, value)| match value.as_deref() {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => {
            errors.insert(name.to_string(), "is required".to_string());
            String::new()
        }
    });
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountJson {
    pub email: String,
    pub credit_balance: i64,
    /// The address is confirmed (the sign-up credits come with it).
    pub email_verified: bool,
    /// Emails when a job completes or fails (opt-in).
    pub notify_email: bool,
    /// When a proofread finds problems, the picture's free fix is asked for on its own.
    pub auto_fix: bool,
}

/// `PATCH /api/account/`: the settings that can be changed.
#[derive(Default, Serialize, Deserialize, ToSchema)]
pub struct AccountPatch {
    #[serde(default, deserialize_with = "true_or_false")]
    #[schema(required = false, value_type = bool)]
    pub notify_email: Option<bool>,
    /// "Fix automatically" (proofreading): off by default.
    #[serde(default, deserialize_with = "true_or_false")]
    #[schema(required = false, value_type = bool)]
    pub auto_fix: Option<bool>,
}

/// The settings a `PATCH /api/account/` changes (at least one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AccountChange {
    pub notify_email: Option<bool>,
    pub auto_fix: Option<bool>,
}

/// `true` or `false`, and not `null` either: the setting is one or the other.
fn true_or_false<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    field::flag(deserializer)?.map(Some).ok_or_else(|| serde::de::Error::custom(field::NOT_A_FLAG))
}

impl AccountPatch {
    pub fn validate(&self) -> Result<AccountChange, FieldErrors> {
        if self.notify_email.is_none() && self.auto_fix.is_none() {
            return Err(FieldErrors::from([("notify_email".to_string(), "is required (or auto_fix)".to_string())]));
        }
        Ok(AccountChange { notify_email: self.notify_email, auto_fix: self.auto_fix })
    }
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

//! An account as its owner sees it, and its API tokens.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountView {
    pub email: String,
    pub credit_balance: i64,
    pub is_admin: bool,
    /// Until the address is confirmed the account has no sign-up credits.
    #[serde(default)]
    pub email_verified: bool,
}

/// One API token as its owner sees it (its secret is shown once, at creation, and never again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiTokenView {
    pub id: String,
    pub name: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds, to the minute; `None` if never used.
    pub last_used_at: Option<i64>,
}

/// What a token made without a name is called, given the account's tokens: "Token N", N one
/// more than their number, or the next N no token is called yet. Shared by the server (which
/// names it) and the settings form (which shows the name as its placeholder).
pub fn default_token_name(existing: &[ApiTokenView]) -> String {
    (existing.len() + 1..)
        .map(|n| format!("Token {n}"))
        .find(|name| !existing.iter().any(|t| &t.name == name))
        .unwrap_or_default()
}

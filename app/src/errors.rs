//! The application's one error type, shared by server functions (serialised to the browser) and
//! the REST API (rendered as JSON with an HTTP status).

use crate::model::FieldErrors;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    InvalidInput { message: String, fields: FieldErrors },
    #[error("please sign in")]
    Unauthorized,
    #[error("wrong email or password")]
    BadCredentials,
    #[error("not found")]
    NotFound,
    /// Refused whoever asks (a cross-site request carrying our cookie).
    #[error("{0}")]
    Forbidden(String),
    #[error("not enough credits: this needs {required}, you have {balance}")]
    NotEnoughCredits { required: i64, balance: i64 },
    #[error("{0}")]
    Conflict(String),
    /// The card issuer said no: its words.
    #[error("the payment was declined: {0}")]
    PaymentDeclined(String),
    /// A feature this server is not set up for (purchases without Stripe keys): a 409, the
    /// server's configuration being what the request conflicts with.
    #[error("{0}")]
    Unavailable(String),
    /// It was here and is not any more (a revoked share link).
    #[error("{0}")]
    Gone(String),
    #[error("too many requests, try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Details are logged on the server, never sent.
    #[error("something went wrong on our side; please try again")]
    Internal,
    /// A service we depend on (fal, an image host) did not answer as it should.
    #[error("{0}")]
    Upstream(String),
    /// Transport or encoding trouble between the browser and the server function.
    #[error("could not reach the server: {0}")]
    Transport(String),
}

/// Where credits are bought (named in every "not enough credits" answer).
pub const BUY_PATH: &str = "/billing";

impl AppError {
    pub fn invalid(fields: FieldErrors) -> Self {
        let message = match fields.iter().next() {
            Some((field, msg)) if fields.len() == 1 => format!("{field}: {msg}"),
            _ => "some fields are invalid".to_string(),
        };
        Self::InvalidInput { message, fields }
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(FieldErrors::from([(field.to_string(), message.into())]))
    }

    pub fn status_code(&self) -> u16 {
        match self {
            Self::InvalidInput { .. } => 400,
            Self::Unauthorized | Self::BadCredentials => 401,
            Self::Forbidden(_) => 403,
            Self::NotEnoughCredits { .. } | Self::PaymentDeclined(_) => 402,
            Self::NotFound => 404,
            Self::Conflict(_) => 409,
            Self::Gone(_) => 410,
            Self::RateLimited { .. } => 429,
            Self::Internal => 500,
            Self::Upstream(_) | Self::Transport(_) => 502,
            // Not a 5xx: nothing is wrong with the server, it is set up without the feature.
            Self::Unavailable(_) => 409,
        }
    }

    /// Stable machine-readable code for the `error` field of JSON bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidInput { .. } => "invalid_input",
            Self::Unauthorized => "unauthorized",
            Self::BadCredentials => "bad_credentials",
            Self::NotEnoughCredits { .. } => "not_enough_credits",
            Self::PaymentDeclined(_) => "payment_declined",
            Self::Unavailable(_) => "unavailable",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Gone(_) => "gone",
            Self::RateLimited { .. } => "rate_limited",
            Self::Internal => "internal",
            Self::Upstream(_) => "upstream",
            Self::Transport(_) => "transport",
        }
    }

    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            Self::InvalidInput { fields, .. } => fields.get(name).cloned(),
            _ => None,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let mut body = serde_json::json!({ "error": self.code(), "message": self.to_string() });
        match self {
            Self::InvalidInput { fields, .. } => body["fields"] = serde_json::json!(fields),
            Self::NotEnoughCredits { required, balance } => {
                body["required"] = (*required).into();
                body["balance"] = (*balance).into();
                body["buy_url"] = BUY_PATH.into();
            }
            Self::RateLimited { retry_after_secs } => body["retry_after"] = (*retry_after_secs).into(),
            _ => {}
        }
        body
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => {
                Self::InvalidInput { message: msg, fields: FieldErrors::new() }
            }
            other => Self::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::{IntoResponse, Response};

    impl From<sqlx::Error> for AppError {
        fn from(err: sqlx::Error) -> Self {
            tracing::error!(error = %err, "database error");
            AppError::Internal
        }
    }

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let status =
                StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (status, axum::Json(self.to_json())).into_response();
            match &self {
                AppError::RateLimited { retry_after_secs } => {
                    if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                        response.headers_mut().insert(header::RETRY_AFTER, v);
                    }
                }
                AppError::Unauthorized => {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
                }
                _ => {}
            }
            response
        }
    }
}

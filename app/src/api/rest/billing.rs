//! Buying credits: the packs, purchases (start one, list one's own, read one), and Stripe's
//! webhook, which alone credits a purchase.

use super::body::{checked, json_object};
use crate::api::extract::ApiUser;
use crate::api::types::{ErrorBody, PackList, PurchaseJson, PurchaseList, PurchaseRequest, StartedPurchase, ERR};
use crate::errors::AppError;
use crate::server::billing::purchases::{self, Applied, WebhookError};
use crate::server::platform::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/billing/packs/", get(packs))
        .route("/api/billing/purchases/", get(list).post(start))
        .route("/api/billing/purchases/{id}/", get(status))
        .route("/api/billing/stripe/webhook/", post(stripe_webhook))
}

/// The credit packs for sale and their prices (no sign-in needed).
#[utoipa::path(get, path = "/api/billing/packs/", tag = "billing", responses((status = 200, body = PackList)))]
pub async fn packs(State(state): State<AppState>) -> Json<PackList> {
    let info = purchases::info(&state);
    Json(PackList { configured: info.configured, currency: state.config.billing.currency.clone(), packs: info.packs.into_iter().map(Into::into).collect() })
}

/// Starts buying a pack: a `pending` purchase and its Stripe PaymentIntent at the pack's price
/// (the amount is never the client's). Confirm it with Stripe.js and the `client_secret`, or send
/// a `payment_method` to be charged at once. Credits arrive only when Stripe's webhook says the
/// payment succeeded: follow `GET /api/billing/purchases/{id}/`.
#[utoipa::path(post, path = "/api/billing/purchases/", tag = "billing", security(("token" = [])),
    request_body(content = PurchaseRequest, content_type = "application/json"),
    responses(
        (status = 201, body = StartedPurchase),
        (status = 400, description = "An unknown pack, or a field that is not accepted (named in `fields`)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 402, description = "The card was declined (the purchase is failed, nothing credited)", body = ErrorBody, content_type = ERR),
        (status = 502, description = "Stripe did not answer", body = ErrorBody, content_type = ERR),
        (status = 409, description = "Purchases are not configured on this server", body = ErrorBody, content_type = ERR),
    ))]
pub async fn start(State(state): State<AppState>, ApiUser(user): ApiUser, body: Bytes) -> Result<(StatusCode, Json<StartedPurchase>), AppError> {
    let (pack, payment_method) = checked(&json_object(&body)?, PurchaseRequest::unknown, |r: PurchaseRequest| r.validate())?;
    let started = purchases::start(&state, &user, &pack, payment_method.as_deref()).await?;
    let p = &started.purchase;
    Ok((
        StatusCode::CREATED,
        Json(StartedPurchase {
            purchase_id: p.id.clone(),
            client_secret: started.client_secret.clone(),
            amount: p.amount,
            currency: p.currency.clone(),
            credits: p.credits,
            status: p.status.as_str().to_string(),
        }),
    ))
}

/// The caller's purchases, newest first (their receipts).
#[utoipa::path(get, path = "/api/billing/purchases/", tag = "billing", security(("token" = [])),
    responses((status = 200, body = PurchaseList), (status = 401, body = ErrorBody, content_type = ERR)))]
pub async fn list(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<PurchaseList>, AppError> {
    let purchases: Vec<PurchaseJson> = purchases::list(&state, &user).await?.into_iter().map(Into::into).collect();
    Ok(Json(PurchaseList { count: purchases.len(), purchases }))
}

/// One of the caller's purchases (another user's is a 404).
#[utoipa::path(get, path = "/api/billing/purchases/{id}/", tag = "billing", security(("token" = [])),
    params(("id" = String, Path, description = "Purchase id")),
    responses((status = 200, body = PurchaseJson), (status = 401, body = ErrorBody, content_type = ERR), (status = 404, body = ErrorBody, content_type = ERR)))]
pub async fn status(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>) -> Result<Json<PurchaseJson>, AppError> {
    Ok(Json(purchases::status(&state, &user, &id).await?.into()))
}

/// Stripe's webhook (register `{PUBLIC_BASE_URL}/api/billing/stripe/webhook/` at Stripe for
/// `payment_intent.succeeded`, `payment_intent.payment_failed` and `charge.refunded`). The
/// `Stripe-Signature` is checked over the raw body first: a bad or stale one is a `400` and
/// changes nothing. Repeats answer `200` and change nothing.
#[utoipa::path(post, path = "/api/billing/stripe/webhook/", tag = "webhooks",
    params(("Stripe-Signature" = String, Header, description = "t=<unix time>,v1=<HMAC-SHA256 hex>")),
    request_body(content = Object, content_type = "application/json", description = "A Stripe event"),
    responses(
        (status = 200, body = WebhookReceived),
        (status = 400, description = "Missing, invalid or stale signature, or not JSON", body = ErrorBody, content_type = ERR),
        (status = 409, description = "Webhooks are not configured", body = ErrorBody, content_type = ERR),
    ))]
pub async fn stripe_webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    match purchases::webhook(&state, signature, &body).await {
        Ok(applied) => Json(json!({"received": true, "applied": applied_name(&applied)})).into_response(),
        Err(err) => {
            let (status, code) = match &err {
                WebhookError::NotConfigured => (StatusCode::CONFLICT, "unavailable"),
                WebhookError::Signature(_) => (StatusCode::BAD_REQUEST, "invalid_signature"),
                WebhookError::Malformed => (StatusCode::BAD_REQUEST, "invalid_input"),
                WebhookError::Database(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            };
            if status.is_server_error() {
                tracing::error!(error = %err, "a Stripe event could not be recorded");
            } else {
                tracing::warn!(error = %err, "a Stripe webhook was refused");
            }
            let message = if status.is_server_error() { "please retry".to_string() } else { err.to_string() };
            (status, Json(json!({"error": code, "message": message}))).into_response()
        }
    }
}

fn applied_name(applied: &Applied) -> &'static str {
    match applied {
        Applied::Credited => "credited",
        Applied::Failed => "failed",
        Applied::Refunded { .. } => "refunded",
        Applied::Nothing => "nothing",
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WebhookReceived {
    pub received: bool,
    /// `credited`, `failed`, `refunded` or `nothing` (a repeat, or an event we do not act on).
    pub applied: String,
}

//! Buying credits. The server makes the charge for a pack at the pack's price from our
//! configuration (never an amount from the browser) and records a `pending` purchase; **only
//! Stripe's signed webhook credits it** (or the reconciler, asking Stripe itself about a purchase
//! whose webhook never came). The browser's "thank you" only reads the purchase's state.
//!
//! In the browser the card is taken by Stripe.js: a SetupIntent confirmed with the card element
//! gives a payment method, and the server charges it at once (`confirm=true`). API clients may
//! instead take the PaymentIntent's client secret and confirm it themselves.

use super::purchase_repo::{self as repo, NewPurchase, PurchaseRow};
use crate::errors::AppError;
use crate::model::billing::{BillingInfo, PackView, PurchaseStatus, PurchaseView};
use crate::server::accounts::users::UserRow;
use crate::server::platform::config::{CreditPack, CreditPacks};
use crate::server::platform::db::{new_id, now_ms};
use crate::server::platform::state::AppState;
use crate::server::stripe::client::{NewPayment, PaymentIntent, StripeClient, StripeError};
use crate::server::stripe::signature;
use serde_json::Value;

pub const LIST_LIMIT: i64 = 100;

pub fn packs(state: &AppState) -> Vec<PackView> {
    let billing = &state.config.billing;
    billing.packs.0.iter().map(|p| pack_view(p, &billing.currency)).collect()
}

fn pack_view(p: &CreditPack, currency: &str) -> PackView {
    PackView { id: p.credits.to_string(), credits: p.credits, amount: p.amount, currency: currency.to_string() }
}

pub fn info(state: &AppState) -> BillingInfo {
    let billing = &state.config.billing;
    let configured = state.stripe.is_some() && billing.configured();
    BillingInfo {
        configured,
        packs: packs(state),
        publishable_key: billing.publishable_key.clone().filter(|_| configured),
        js_url: configured.then(|| billing.js_url.clone()),
    }
}

/// The Stripe client, or why there is none.
fn stripe(state: &AppState) -> Result<&StripeClient, AppError> {
    state
        .stripe
        .as_ref()
        .filter(|_| state.config.billing.configured())
        .ok_or_else(|| AppError::Unavailable("purchases are not configured on this server".into()))
}

/// The pack a buyer named, or a 400 naming `pack`.
pub fn find_pack(packs: &CreditPacks, id: &str) -> Result<CreditPack, AppError> {
    packs.find(id).ok_or_else(|| {
        let known: Vec<String> = packs.0.iter().map(|p| p.credits.to_string()).collect();
        AppError::invalid_field("pack", format!("must be one of {}", known.join(", ")))
    })
}

/// A new purchase and its PaymentIntent: what the REST API answers.
#[derive(Debug, Clone)]
pub struct Started {
    pub purchase: PurchaseView,
    /// Confirms the PaymentIntent with Stripe.js (`confirmCardPayment`); also what a card that
    /// needs 3-D Secure completes with.
    pub client_secret: Option<String>,
    /// Charged at once, but the card's bank asks the buyer to confirm (3-D Secure).
    pub needs_action: bool,
}

/// Starts a purchase of `pack_id` for `buyer`: records it `pending`, then asks Stripe for a
/// PaymentIntent at the pack's configured price, charged at once when `payment_method` is given.
/// A declined card fails the purchase with the issuer's reason (`402`); nothing is ever credited
/// here.
pub async fn start(state: &AppState, buyer: &UserRow, pack_id: &str, payment_method: Option<&str>) -> Result<Started, AppError> {
    let pack = find_pack(&state.config.billing.packs, pack_id)?;
    let stripe = stripe(state)?;
    let billing = &state.config.billing;
    let id = new_id();
    let pack_name = pack.credits.to_string();
    repo::insert(
        &state.db,
        &NewPurchase {
            id: &id,
            user_id: &buyer.id,
            pack: &pack_name,
            credits: pack.credits,
            amount: pack.amount,
            currency: &billing.currency,
            reconcile_at: now_ms() + billing.reconcile_after.as_millis() as i64,
        },
    )
    .await?;
    let metadata = [("user_id", buyer.id.as_str()), ("pack", pack_name.as_str()), ("purchase_id", id.as_str())];
    let payment = NewPayment { amount: pack.amount, currency: &billing.currency, metadata: &metadata, payment_method, idempotency_key: &id };
    let result = stripe.create_payment_intent(&payment).await;
    let (client_secret, needs_action) = match result {
        Ok(intent) => {
            repo::set_payment_intent(&state.db, &id, &intent.id).await?;
            (intent.client_secret, intent.status == "requires_action")
        }
        Err(StripeError::Declined { message, payment_intent }) => {
            if let Some(pi) = payment_intent {
                repo::set_payment_intent(&state.db, &id, &pi).await?;
            }
            repo::fail(&state.db, &id, &message).await?;
            return Err(AppError::PaymentDeclined(message));
        }
        Err(StripeError::Refused { status, message }) => {
            tracing::error!(purchase = %id, status, %message, "Stripe refused a PaymentIntent");
            repo::fail(&state.db, &id, "the payment could not be started").await?;
            return Err(AppError::Upstream("the payment could not be started; nothing was charged".into()));
        }
        // It may have been made (a timeout after sending): the purchase stays pending, and a
        // webhook that names it (its metadata) still credits it.
        Err(e) => {
            tracing::warn!(purchase = %id, error = %e, "no answer from Stripe for a PaymentIntent");
            return Err(AppError::Upstream("Stripe did not answer; if you were charged, the credits will follow".into()));
        }
    };
    let purchase = repo::by_id(&state.db, &id).await?.ok_or(AppError::Internal)?.view();
    Ok(Started { purchase, client_secret, needs_action })
}

/// The browser's first step: a SetupIntent its card form confirms with Stripe.js. Returns the
/// client secret and the publishable key.
pub async fn card_setup(state: &AppState, buyer: &UserRow) -> Result<(String, String), AppError> {
    let stripe = stripe(state)?;
    let setup = stripe.create_setup_intent(&buyer.id).await.map_err(|e| {
        tracing::warn!(error = %e, "could not make a SetupIntent");
        AppError::Upstream("the card form could not be prepared; please try again".into())
    })?;
    let secret = setup.client_secret.ok_or(AppError::Upstream("Stripe gave no client secret".into()))?;
    let key = state.config.billing.publishable_key.clone().unwrap_or_default();
    Ok((secret, key))
}

/// The browser's second step: the SetupIntent its card form confirmed gave a payment method; the
/// pack is charged to it. The SetupIntent must be this buyer's and confirmed: a payment method
/// id alone from the browser is never trusted. With the purchase comes the PaymentIntent's
/// client secret when the bank wants the buyer to confirm (3-D Secure), for Stripe.js.
pub async fn buy_with_setup(state: &AppState, buyer: &UserRow, pack_id: &str, setup_intent_id: &str) -> Result<(PurchaseView, Option<String>), AppError> {
    find_pack(&state.config.billing.packs, pack_id)?;
    let stripe = stripe(state)?;
    let setup = stripe.setup_intent(setup_intent_id).await.map_err(|e| match e {
        StripeError::Refused { .. } => AppError::invalid_field("setup_intent", "is not a card form of yours"),
        other => {
            tracing::warn!(error = %other, "could not read a SetupIntent");
            AppError::Upstream("Stripe did not answer; nothing was charged".into())
        }
    })?;
    let theirs = setup.metadata.get("user_id") == Some(&buyer.id);
    let method = setup.payment_method.filter(|_| theirs && setup.status == "succeeded");
    let method = method.ok_or_else(|| AppError::invalid_field("setup_intent", "is not a confirmed card form of yours"))?;
    let started = start(state, buyer, pack_id, Some(&method)).await?;
    let action = started.client_secret.filter(|_| started.needs_action);
    Ok((started.purchase, action))
}

pub async fn status(state: &AppState, buyer: &UserRow, id: &str) -> Result<PurchaseView, AppError> {
    Ok(repo::owned(&state.db, &buyer.id, id).await?.ok_or(AppError::NotFound)?.view())
}

pub async fn list(state: &AppState, buyer: &UserRow) -> Result<Vec<PurchaseView>, AppError> {
    Ok(repo::list_owned(&state.db, &buyer.id, LIST_LIMIT).await?.iter().map(PurchaseRow::view).collect())
}

/// Why a webhook was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("webhooks are not configured")]
    NotConfigured,
    #[error(transparent)]
    Signature(#[from] signature::SignatureError),
    #[error("the event is not JSON")]
    Malformed,
    /// The one failure worth Stripe's retry: the edge answers 5xx.
    #[error("the event could not be recorded: {0}")]
    Database(#[from] sqlx::Error),
}

/// What a verified event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Credited,
    Failed,
    Refunded { taken: i64 },
    /// A repeat, an event about something that is not ours, or of a kind we do not act on.
    Nothing,
}

/// `POST /api/billing/stripe/webhook/`: the signature is checked over the raw body first; then
/// `payment_intent.succeeded` credits the purchase once, `payment_intent.payment_failed` fails
/// it with the reason, and `charge.refunded` takes back the refunded credits still unspent.
pub async fn webhook(state: &AppState, signature_header: Option<&str>, body: &[u8]) -> Result<Applied, WebhookError> {
    let secret = state.config.billing.webhook_secret.as_ref().ok_or(WebhookError::NotConfigured)?;
    signature::verify(signature_header, body, secret.expose(), now_ms() / 1000)?;
    let event: Value = serde_json::from_slice(body).map_err(|_| WebhookError::Malformed)?;
    let object = &event["data"]["object"];
    let applied = match event["type"].as_str().unwrap_or_default() {
        "payment_intent.succeeded" => match PaymentIntent::from_json(object) {
            Ok(intent) => paid(state, &intent).await,
            Err(_) => Ok(Applied::Nothing),
        },
        "payment_intent.payment_failed" => match PaymentIntent::from_json(object) {
            Ok(intent) => not_paid(state, &intent).await,
            Err(_) => Ok(Applied::Nothing),
        },
        "charge.refunded" => refunded(state, object).await,
        _ => Ok(Applied::Nothing),
    };
    Ok(applied?)
}

/// The purchase a PaymentIntent is for: by its id, else by the purchase id in its metadata (a
/// webhook racing our own record of the id), checked against the buyer in the metadata too.
async fn purchase_of(state: &AppState, intent: &PaymentIntent) -> Result<Option<PurchaseRow>, sqlx::Error> {
    if let Some(row) = repo::by_payment_intent(&state.db, &intent.id).await? {
        return Ok(Some(row));
    }
    let Some(id) = intent.metadata.get("purchase_id") else { return Ok(None) };
    let row = repo::by_id(&state.db, id).await?.filter(|p| intent.metadata.get("user_id") == Some(&p.user_id) && p.payment_intent_id.is_none());
    if let Some(row) = &row {
        repo::set_payment_intent(&state.db, &row.id, &intent.id).await?;
    }
    Ok(row)
}

/// Stripe says the PaymentIntent was paid: credit its purchase once, if the money is what the
/// pack costs.
pub async fn paid(state: &AppState, intent: &PaymentIntent) -> Result<Applied, sqlx::Error> {
    let Some(purchase) = purchase_of(state, intent).await? else {
        tracing::warn!(payment_intent = %intent.id, "a payment for no purchase of ours");
        return Ok(Applied::Nothing);
    };
    if intent.amount != purchase.amount || intent.currency != purchase.currency {
        tracing::error!(purchase = %purchase.id, paid = intent.amount, price = purchase.amount, "a payment of the wrong amount: not credited");
        repo::fail(&state.db, &purchase.id, "the payment did not match the pack's price").await?;
        return Ok(Applied::Nothing);
    }
    if repo::credit(&state.db, &purchase.id).await? {
        tracing::info!(purchase = %purchase.id, credits = purchase.credits, "purchase credited");
        Ok(Applied::Credited)
    } else {
        Ok(Applied::Nothing)
    }
}

async fn not_paid(state: &AppState, intent: &PaymentIntent) -> Result<Applied, sqlx::Error> {
    let Some(purchase) = purchase_of(state, intent).await? else { return Ok(Applied::Nothing) };
    let reason = intent.last_error.clone().unwrap_or_else(|| "the payment failed".into());
    Ok(if repo::fail(&state.db, &purchase.id, &reason).await? { Applied::Failed } else { Applied::Nothing })
}

/// A refund of a charge: `amount_refunded` is cumulative, so a repeated event changes nothing.
async fn refunded(state: &AppState, charge: &Value) -> Result<Applied, sqlx::Error> {
    let Some(intent_id) = charge["payment_intent"].as_str().or_else(|| charge["payment_intent"]["id"].as_str()) else {
        return Ok(Applied::Nothing);
    };
    let Some(purchase) = repo::by_payment_intent(&state.db, intent_id).await? else { return Ok(Applied::Nothing) };
    match purchase.status() {
        PurchaseStatus::Succeeded => {}
        // The refund came before the payment's own webhook: an error, so that Stripe delivers it
        // again once the purchase is credited (and the refund then takes its credits back).
        PurchaseStatus::Pending => {
            tracing::warn!(purchase = %purchase.id, "a refund before its payment was credited; Stripe will retry it");
            return Err(sqlx::Error::RowNotFound);
        }
        // Nothing was credited (a payment of the wrong amount): nothing to take back, and asking
        // Stripe to retry would never end.
        PurchaseStatus::Failed => {
            tracing::warn!(purchase = %purchase.id, refunded = charge["amount_refunded"].as_i64(), "a refund of a purchase never credited");
            return Ok(Applied::Nothing);
        }
    }
    let refunded = charge["amount_refunded"].as_i64().unwrap_or_default().clamp(0, purchase.amount);
    // The credits the refunded money stands for (all of them for a full refund).
    let credits = (i128::from(purchase.credits) * i128::from(refunded) / i128::from(purchase.amount.max(1))) as i64;
    Ok(match repo::record_refund(&state.db, &purchase.id, refunded, credits).await? {
        Some(taken) => {
            tracing::info!(purchase = %purchase.id, refunded, credits, taken, "purchase refunded");
            Applied::Refunded { taken }
        }
        None => Applied::Nothing,
    })
}

/// The reconciler's look at one pending purchase: what Stripe says about its PaymentIntent. One
/// without a PaymentIntent after a day was never paid for (the card form was left).
pub async fn reconcile(state: &AppState, purchase: &PurchaseRow) -> Result<(), AppError> {
    let Some(intent_id) = &purchase.payment_intent_id else {
        if now_ms() - purchase.created_at > ABANDONED_AFTER_MS {
            repo::fail(&state.db, &purchase.id, "the payment was never completed").await?;
        }
        return Ok(());
    };
    let intent = stripe(state)?.payment_intent(intent_id).await.map_err(|e| AppError::Upstream(e.to_string()))?;
    match intent.status.as_str() {
        "succeeded" => {
            if paid(state, &intent).await? == Applied::Credited {
                tracing::info!(purchase = %purchase.id, "a purchase whose webhook never came was credited");
            }
        }
        "canceled" => {
            repo::fail(&state.db, &purchase.id, "the payment was cancelled").await?;
        }
        "requires_payment_method" if intent.last_error.is_some() => {
            not_paid(state, &intent).await?;
        }
        _ if now_ms() - purchase.created_at > ABANDONED_AFTER_MS => {
            repo::fail(&state.db, &purchase.id, "the payment was never completed").await?;
        }
        _ => {}
    }
    Ok(())
}

/// A purchase still unpaid after this long was abandoned.
const ABANDONED_AFTER_MS: i64 = 24 * 3600 * 1000;

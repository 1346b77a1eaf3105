//! A small Stripe API client: the calls a credit purchase needs (SetupIntents for the browser's
//! card form, PaymentIntents for the charge, and reading them back), form-encoded with the secret
//! key as HTTP basic auth, as Stripe's API takes them. Answers are read tolerantly (missing fields
//! are `None`): localstripe and Stripe's API versions differ in what they include. Written here
//! rather than taken from a crate: the Stripe crates carry typed models of the whole API (and their
//! own HTTP stacks) for these four calls.

use crate::server::platform::config::Secret;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StripeError {
    /// The card was declined (Stripe's 402): the issuer's words, and the PaymentIntent Stripe
    /// created anyway, when it says which.
    #[error("{message}")]
    Declined { message: String, payment_intent: Option<String> },
    /// Stripe refused the request itself (a 4xx): a bug or a configuration problem on our side.
    #[error("Stripe refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    /// No answer, or a 5xx: the request may or may not have been carried out.
    #[error("Stripe could not be reached: {0}")]
    Unreachable(String),
    #[error("unexpected answer from Stripe: {0}")]
    Decode(String),
}

/// A PaymentIntent, as far as we read it.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentIntent {
    pub id: String,
    pub status: String,
    pub client_secret: Option<String>,
    pub amount: i64,
    pub currency: String,
    pub metadata: BTreeMap<String, String>,
    /// Why the last attempt failed (the issuer's words).
    pub last_error: Option<String>,
}

impl PaymentIntent {
    pub fn from_json(v: &Value) -> Result<Self, StripeError> {
        Ok(Self {
            id: text(v, "id").ok_or_else(|| StripeError::Decode("a PaymentIntent without id".into()))?,
            status: text(v, "status").unwrap_or_default(),
            client_secret: text(v, "client_secret"),
            amount: v["amount"].as_i64().unwrap_or_default(),
            currency: text(v, "currency").unwrap_or_default().to_ascii_lowercase(),
            metadata: metadata(v),
            last_error: v["last_payment_error"]["message"].as_str().map(str::to_string),
        })
    }
}

/// A SetupIntent: how the browser's card form gives us a payment method.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupIntent {
    pub id: String,
    pub status: String,
    pub client_secret: Option<String>,
    pub payment_method: Option<String>,
    pub metadata: BTreeMap<String, String>,
}

/// What a new PaymentIntent is made of. The amount always comes from our configuration.
pub struct NewPayment<'a> {
    pub amount: i64,
    pub currency: &'a str,
    pub metadata: &'a [(&'a str, &'a str)],
    /// Confirm at once with this payment method (else the client confirms with the secret).
    pub payment_method: Option<&'a str>,
    /// Stripe's own duplicate guard: the same key within 24 h answers the first result.
    pub idempotency_key: &'a str,
}

#[derive(Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    base: String,
    key: Secret,
}

impl std::fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeClient").field("base", &self.base).finish()
    }
}

/// Stripe ids (`pi_…`, `seti_…`) go into URL paths: anything else is refused before sending.
fn plausible_id(id: &str) -> bool {
    (3..=255).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn text(v: &Value, key: &str) -> Option<String> {
    v[key].as_str().map(str::to_string)
}

fn metadata(v: &Value) -> BTreeMap<String, String> {
    v["metadata"]
        .as_object()
        .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect())
        .unwrap_or_default()
}

impl StripeClient {
    pub fn new(base: &str, key: Secret) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("infograph/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, base: base.trim_end_matches('/').to_string(), key })
    }

    /// A SetupIntent for the browser's card form, marked as `user_id`'s.
    pub async fn create_setup_intent(&self, user_id: &str) -> Result<SetupIntent, StripeError> {
        let form = [("payment_method_types[]", "card"), ("metadata[user_id]", user_id)];
        self.post("/v1/setup_intents", &form, None).await.map(|v| setup_intent(&v))?
    }

    pub async fn setup_intent(&self, id: &str) -> Result<SetupIntent, StripeError> {
        if !plausible_id(id) {
            return Err(StripeError::Refused { status: 404, message: "not a SetupIntent id".into() });
        }
        self.get(&format!("/v1/setup_intents/{id}")).await.map(|v| setup_intent(&v))?
    }

    pub async fn create_payment_intent(&self, p: &NewPayment<'_>) -> Result<PaymentIntent, StripeError> {
        let amount = p.amount.to_string();
        let mut form: Vec<(String, &str)> = vec![("amount".into(), &amount), ("currency".into(), p.currency)];
        form.extend(p.metadata.iter().map(|(k, v)| (format!("metadata[{k}]"), *v)));
        if let Some(method) = p.payment_method {
            form.push(("payment_method".into(), method));
            form.push(("confirm".into(), "true"));
        }
        let v = self.post("/v1/payment_intents", &form, Some(p.idempotency_key)).await?;
        PaymentIntent::from_json(&v)
    }

    pub async fn payment_intent(&self, id: &str) -> Result<PaymentIntent, StripeError> {
        if !plausible_id(id) {
            return Err(StripeError::Refused { status: 404, message: "not a PaymentIntent id".into() });
        }
        PaymentIntent::from_json(&self.get(&format!("/v1/payment_intents/{id}")).await?)
    }

    async fn post<K: AsRef<str>, V: AsRef<str>>(&self, path: &str, form: &[(K, V)], idempotency_key: Option<&str>) -> Result<Value, StripeError> {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))).finish();
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .basic_auth(self.key.expose(), Some(""))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        answer(request.send().await).await
    }

    async fn get(&self, path: &str) -> Result<Value, StripeError> {
        answer(self.http.get(format!("{}{path}", self.base)).basic_auth(self.key.expose(), Some("")).send().await).await
    }
}

fn setup_intent(v: &Value) -> Result<SetupIntent, StripeError> {
    Ok(SetupIntent {
        id: text(v, "id").ok_or_else(|| StripeError::Decode("a SetupIntent without id".into()))?,
        status: text(v, "status").unwrap_or_default(),
        client_secret: text(v, "client_secret"),
        // An id, or the expanded object.
        payment_method: v["payment_method"].as_str().map(str::to_string).or_else(|| text(&v["payment_method"], "id")),
        metadata: metadata(v),
    })
}

/// Reads Stripe's answer: the JSON on success, a typed error otherwise. Nothing of the key or
/// the request goes into the error.
async fn answer(sent: Result<reqwest::Response, reqwest::Error>) -> Result<Value, StripeError> {
    let response = sent.map_err(|e| StripeError::Unreachable(e.without_url().to_string()))?;
    let status = response.status().as_u16();
    let body: Value = match response.text().await {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.chars().take(200).collect())),
        Err(e) => return Err(StripeError::Unreachable(e.without_url().to_string())),
    };
    if (200..300).contains(&status) {
        return Ok(body);
    }
    let error = &body["error"];
    let message = error["message"].as_str().map(str::to_string).unwrap_or_else(|| body.as_str().unwrap_or("no message").to_string());
    let declined = status == 402 || error["type"] == "card_error" || error["code"] == "card_declined";
    match status {
        _ if declined => Err(StripeError::Declined { message, payment_intent: error["payment_intent"]["id"].as_str().map(str::to_string) }),
        400..=499 => Err(StripeError::Refused { status, message }),
        _ => Err(StripeError::Unreachable(format!("HTTP {status}: {message}"))),
    }
}

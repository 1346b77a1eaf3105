//! fal webhook signature verification (Ed25519 over request id, user id, timestamp and the body's
//! SHA-256), with the JWKS fetched from `FAL_JWKS_URL` and cached.

use base64::Engine;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use http::HeaderMap;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

pub const HEADER_REQUEST_ID: &str = "x-fal-webhook-request-id";
pub const HEADER_USER_ID: &str = "x-fal-webhook-user-id";
pub const HEADER_TIMESTAMP: &str = "x-fal-webhook-timestamp";
pub const HEADER_SIGNATURE: &str = "x-fal-webhook-signature";
pub const MAX_SKEW_SECS: i64 = 300;
const JWKS_TTL: Duration = Duration::from_secs(24 * 3600);
/// A signature that fails against cached keys triggers at most one refetch per this interval,
/// so key rotation is picked up but forged requests cannot hammer the JWKS endpoint.
const JWKS_MIN_REFRESH: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    #[error("malformed header {0}")]
    BadHeader(&'static str),
    #[error("timestamp outside the accepted window")]
    StaleTimestamp,
    #[error("signature does not verify")]
    BadSignature,
    #[error("no verification keys available")]
    NoKeys,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub request_id: String,
    pub user_id: String,
    pub timestamp: String,
    pub signature: Vec<u8>,
}

fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, VerifyError> {
    headers
        .get(name)
        .ok_or(VerifyError::MissingHeader(name))?
        .to_str()
        .map(str::trim)
        .map_err(|_| VerifyError::BadHeader(name))
}

impl SignedHeaders {
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, VerifyError> {
        let signature = hex::decode(header(headers, HEADER_SIGNATURE)?)
            .map_err(|_| VerifyError::BadHeader(HEADER_SIGNATURE))?;
        Ok(Self {
            request_id: header(headers, HEADER_REQUEST_ID)?.to_string(),
            user_id: header(headers, HEADER_USER_ID)?.to_string(),
            timestamp: header(headers, HEADER_TIMESTAMP)?.to_string(),
            signature,
        })
    }
}

/// The exact bytes fal signs.
pub fn signed_message(request_id: &str, user_id: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    format!("{request_id}\n{user_id}\n{timestamp}\n{}", hex::encode(Sha256::digest(body))).into_bytes()
}

/// Checks freshness, then the signature against every key. Runs over the raw body, before parsing.
pub fn verify(
    headers: &SignedHeaders,
    body: &[u8],
    keys: &[VerifyingKey],
    now_secs: i64,
) -> Result<(), VerifyError> {
    let ts: i64 = headers.timestamp.parse().map_err(|_| VerifyError::BadHeader(HEADER_TIMESTAMP))?;
    if now_secs.abs_diff(ts) > MAX_SKEW_SECS as u64 {
        return Err(VerifyError::StaleTimestamp);
    }
    let signature =
        Signature::from_slice(&headers.signature).map_err(|_| VerifyError::BadHeader(HEADER_SIGNATURE))?;
    if keys.is_empty() {
        return Err(VerifyError::NoKeys);
    }
    let message = signed_message(&headers.request_id, &headers.user_id, &headers.timestamp, body);
    // ed25519-dalek's verification does not branch on secret data; trying each key is fine.
    keys.iter()
        .any(|key| key.verify(&message, &signature).is_ok())
        .then_some(())
        .ok_or(VerifyError::BadSignature)
}

/// Reads Ed25519 keys from a JWKS document, skipping keys of other types.
pub fn parse_jwks(json: &serde_json::Value) -> Vec<VerifyingKey> {
    let Some(keys) = json.get("keys").and_then(|k| k.as_array()) else {
        return Vec::new();
    };
    keys.iter()
        .filter(|k| k.get("kty").and_then(|v| v.as_str()) == Some("OKP"))
        .filter(|k| k.get("crv").and_then(|v| v.as_str()) == Some("Ed25519"))
        .filter_map(|k| k.get("x").and_then(|v| v.as_str()))
        .filter_map(|x| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(x.trim_end_matches('=')).ok())
        .filter_map(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
        .filter_map(|bytes| VerifyingKey::from_bytes(&bytes).ok())
        .collect()
}

pub fn jwks_for(key: &VerifyingKey) -> serde_json::Value {
    serde_json::json!({"keys": [{
        "kty": "OKP",
        "crv": "Ed25519",
        "use": "sig",
        "x": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes()),
    }]})
}

struct Cached {
    fetched: Instant,
    keys: Vec<VerifyingKey>,
}

pub struct JwksCache {
    http: reqwest::Client,
    url: String,
    cached: RwLock<Option<Cached>>,
    /// One fetch at a time: a burst of webhooks on a cold cache makes one request, not one each.
    refreshing: tokio::sync::Mutex<()>,
}

impl JwksCache {
    pub fn new(http: reqwest::Client, url: String) -> Self {
        Self { http, url, cached: RwLock::new(None), refreshing: tokio::sync::Mutex::new(()) }
    }

    async fn fetch(&self) -> Result<Vec<VerifyingKey>, String> {
        let response = self
            .http
            .get(&self.url)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        if !response.status().is_success() {
            return Err(format!("JWKS answered {}", response.status()));
        }
        let json: serde_json::Value = response.json().await.map_err(|e| e.without_url().to_string())?;
        Ok(parse_jwks(&json))
    }

    /// `seen`: when the cache we found was fetched (`None`: empty). If another task refreshed it
    /// while we waited for the lock, its keys are used instead of fetching again.
    async fn refresh(&self, seen: Option<Instant>) -> Vec<VerifyingKey> {
        let _one_at_a_time = self.refreshing.lock().await;
        if let Some(c) = self.cached.read().await.as_ref() {
            if Some(c.fetched) != seen {
                return c.keys.clone();
            }
        }
        match self.fetch().await {
            Ok(keys) => {
                *self.cached.write().await = Some(Cached { fetched: Instant::now(), keys: keys.clone() });
                keys
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not fetch the fal JWKS");
                // Remember the attempt, so a stream of forged webhooks cannot turn into a stream
                // of JWKS fetches; keep whatever keys we had.
                let mut cached = self.cached.write().await;
                let keys = cached.as_ref().map(|c| c.keys.clone()).unwrap_or_default();
                *cached = Some(Cached { fetched: Instant::now(), keys: keys.clone() });
                keys
            }
        }
    }

    async fn current(&self) -> Option<(Vec<VerifyingKey>, Instant)> {
        let cached = self.cached.read().await;
        cached.as_ref().map(|c| (c.keys.clone(), c.fetched))
    }

    /// Verifies with cached keys; refetches when the cache is old or (rate-limited) when the
    /// signature fails against it, which is how a rotated key is learned.
    pub async fn verify(&self, headers: &SignedHeaders, body: &[u8]) -> Result<(), VerifyError> {
        let now = crate::server::platform::db::now_ms() / 1000;
        let current = self.current().await;
        let (keys, fetched) = match current {
            Some((keys, fetched)) if fetched.elapsed() < JWKS_TTL => (keys, Some(fetched)),
            other => {
                let keys = self.refresh(other.map(|(_, fetched)| fetched)).await;
                (keys, None)
            }
        };
        match verify(headers, body, &keys, now) {
            Err(VerifyError::BadSignature | VerifyError::NoKeys)
                if fetched.is_some_and(|f| f.elapsed() >= JWKS_MIN_REFRESH) =>
            {
                verify(headers, body, &self.refresh(fetched).await, now)
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn signed(sk: &SigningKey, body: &[u8], ts: i64) -> SignedHeaders {
        let ts = ts.to_string();
        let sig = sk.sign(&signed_message("req-1", "user-1", &ts, body));
        SignedHeaders {
            request_id: "req-1".into(),
            user_id: "user-1".into(),
            timestamp: ts,
            signature: sig.to_bytes().to_vec(),
        }
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn valid_signature_verifies() {
        let sk = key(1);
        let body = br#"{"status":"OK"}"#;
        assert_eq!(verify(&signed(&sk, body, NOW), body, &[sk.verifying_key()], NOW), Ok(()));
    }

    #[test]
    fn any_of_several_keys_may_sign() {
        let sk = key(2);
        let body = b"{}";
        let keys = [key(9).verifying_key(), sk.verifying_key()];
        assert_eq!(verify(&signed(&sk, body, NOW), body, &keys, NOW), Ok(()));
    }

    #[test]
    fn tampered_body_is_rejected() {
        let sk = key(1);
        let h = signed(&sk, br#"{"status":"OK"}"#, NOW);
        assert_eq!(verify(&h, br#"{"status":"ERROR"}"#, &[sk.verifying_key()], NOW), Err(VerifyError::BadSignature));
    }

    #[test]
    fn wrong_key_is_rejected() {
        let body = b"{}";
        let h = signed(&key(1), body, NOW);
        assert_eq!(verify(&h, body, &[key(2).verifying_key()], NOW), Err(VerifyError::BadSignature));
        assert_eq!(verify(&h, body, &[], NOW), Err(VerifyError::NoKeys));
    }

    #[test]
    fn tampered_request_id_is_rejected() {
        let sk = key(1);
        let body = b"{}";
        let mut h = signed(&sk, body, NOW);
        h.request_id = "req-2".into();
        assert_eq!(verify(&h, body, &[sk.verifying_key()], NOW), Err(VerifyError::BadSignature));
    }

    #[test]
    fn stale_and_future_timestamps_are_rejected() {
        let sk = key(1);
        let body = b"{}";
        let keys = [sk.verifying_key()];
        assert_eq!(verify(&signed(&sk, body, NOW - 301), body, &keys, NOW), Err(VerifyError::StaleTimestamp));
        assert_eq!(verify(&signed(&sk, body, NOW + 301), body, &keys, NOW), Err(VerifyError::StaleTimestamp));
        assert_eq!(verify(&signed(&sk, body, NOW - 299), body, &keys, NOW), Ok(()));
    }

    #[test]
    fn missing_or_malformed_headers_are_rejected() {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER_REQUEST_ID, "r".parse().unwrap());
        headers.insert(HEADER_USER_ID, "u".parse().unwrap());
        headers.insert(HEADER_TIMESTAMP, "1".parse().unwrap());
        assert_eq!(SignedHeaders::from_headers(&headers), Err(VerifyError::MissingHeader(HEADER_SIGNATURE)));
        headers.insert(HEADER_SIGNATURE, "not-hex".parse().unwrap());
        assert_eq!(SignedHeaders::from_headers(&headers), Err(VerifyError::BadHeader(HEADER_SIGNATURE)));
        headers.insert(HEADER_SIGNATURE, "abcd".parse().unwrap());
        let h = SignedHeaders::from_headers(&headers).unwrap();
        assert_eq!(verify(&h, b"", &[key(1).verifying_key()], 1), Err(VerifyError::BadHeader(HEADER_SIGNATURE)));
        headers.remove(HEADER_TIMESTAMP);
        assert_eq!(SignedHeaders::from_headers(&headers), Err(VerifyError::MissingHeader(HEADER_TIMESTAMP)));
    }

    #[test]
    fn jwks_round_trips() {
        let vk = key(3).verifying_key();
        assert_eq!(parse_jwks(&jwks_for(&vk)), vec![vk]);
        let other = serde_json::json!({"keys":[{"kty":"RSA","n":"x"},{"kty":"OKP","crv":"Ed25519","x":"!!"}]});
        assert!(parse_jwks(&other).is_empty());
    }
}

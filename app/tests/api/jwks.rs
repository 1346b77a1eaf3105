//! The JWKS cache against a real HTTP endpoint: one fetch for a burst, rotation picked up.

use app::server::fal::signature::{jwks_for, signed_message, JwksCache, SignedHeaders, VerifyError};
use axum::routing::get;
use axum::{Json, Router};
use ed25519_dalek::{Signer, SigningKey};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn signed(key: &SigningKey, body: &[u8]) -> SignedHeaders {
    let ts = (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_secs()).to_string();
    let sig = key.sign(&signed_message("r", "u", &ts, body));
    SignedHeaders { request_id: "r".into(), user_id: "u".into(), timestamp: ts, signature: sig.to_bytes().to_vec() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_on_a_cold_cache_fetches_the_jwks_once() {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let hits = Arc::new(AtomicUsize::new(0));
    let jwks = jwks_for(&key.verifying_key());
    let counter = hits.clone();
    let router = Router::new().route(
        "/jwks.json",
        get(move || {
            let jwks = jwks.clone();
            counter.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                Json(jwks)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let cache = Arc::new(JwksCache::new(reqwest::Client::new(), format!("http://{addr}/jwks.json")));
    let body = br#"{"status":"OK"}"#.to_vec();
    let headers = signed(&key, &body);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (cache, headers, body) = (cache.clone(), headers.clone(), body.clone());
        tasks.spawn(async move { cache.verify(&headers, &body).await });
    }
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.expect("task"), Ok(()));
    }
    assert_eq!(hits.load(Ordering::SeqCst), 1, "one fetch for the whole burst");

    // A key nobody published still fails, and within the refetch interval costs no fetch.
    let stranger = SigningKey::generate(&mut rand::rngs::OsRng);
    assert_eq!(cache.verify(&signed(&stranger, &body), &body).await, Err(VerifyError::BadSignature));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

//! Rate limits with their counters in the database, so a limit holds across every instance that
//! shares it (an in-process limiter such as `tower_governor` would multiply the limit by the
//! number of instances). Fixed windows (a minute; an hour for sign-ups): one upsert per request, and a burst of at most
//! twice the limit across a window boundary, which is acceptable for abuse protection.

use crate::server::platform::db::{now_ms, Conn, Db};
use crate::errors::AppError;
use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

const WINDOW: Duration = Duration::from_secs(60);
/// Windows are kept this long after they start: longer than the longest window in use.
const KEEP_MS: i64 = 2 * 3600 * 1000;

/// Counts one request in `bucket`; over `per_minute` in the current minute it is refused with
/// the seconds until the window ends. `per_minute == 0` disables the limit.
pub async fn hit(db: &Db, bucket: &str, per_minute: u32) -> Result<(), AppError> {
    hit_window(db, bucket, per_minute, WINDOW).await
}

/// [`hit`] with a window of `window` (a minute, an hour) instead of a minute.
pub async fn hit_window(db: &Db, bucket: &str, limit: u32, window: Duration) -> Result<(), AppError> {
    if limit == 0 {
        return Ok(());
    }
    let w = db.write().await;
    let mut conn = w.pool().acquire().await?;
    count(&mut conn, bucket, limit, window).await
}

/// [`hit`] inside the caller's transaction: the count is kept only if the transaction commits,
/// so a request that is refused, for this or any other reason, does not use up the limit.
pub async fn hit_in(conn: &mut Conn, bucket: &str, per_minute: u32) -> Result<(), AppError> {
    if per_minute == 0 {
        return Ok(());
    }
    count(conn, bucket, per_minute, WINDOW).await
}

async fn count(conn: &mut Conn, bucket: &str, limit: u32, window: Duration) -> Result<(), AppError> {
    let window_ms = window.as_millis() as i64;
    let now = now_ms();
    let start = now - now.rem_euclid(window_ms);
    let hits: i64 = sqlx::query_scalar(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits",
    )
    .bind(bucket)
    .bind(start)
    .fetch_one(conn)
    .await?;
    if hits > i64::from(limit) {
        let retry_after_secs = ((start + window_ms - now) / 1000 + 1) as u64;
        return Err(AppError::RateLimited { retry_after_secs });
    }
    Ok(())
}

/// Counts an authentication attempt (sign-up, sign-in, token) against the client's address.
pub async fn hit_auth(db: &Db, client_ip: &str, per_minute: u32) -> Result<(), AppError> {
    hit(db, &format!("auth:{client_ip}"), per_minute).await
}

/// Forgets finished windows (called by the reconciler).
pub async fn purge(db: &Db) -> Result<(), sqlx::Error> {
    let w = db.write().await;
    sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
        .bind(now_ms() - KEEP_MS)
        .execute(w.pool())
        .await?;
    Ok(())
}

/// The client's address: from the configured trusted proxy header (its last entry, the one our
/// proxy appended) when set, otherwise the TCP peer. Headers are never trusted unless configured,
/// or anyone could pick their own bucket.
pub fn client_ip(headers: &HeaderMap, peer: Option<SocketAddr>, trusted_header: Option<&str>) -> String {
    let from_proxy = trusted_header.and_then(|name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter_map(|v| v.parse::<IpAddr>().ok())
            .last()
    });
    from_proxy.or(peer.map(|p| p.ip())).map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ip_trusts_only_the_configured_header() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9".parse().unwrap());
        let peer: SocketAddr = "10.0.0.2:5555".parse().unwrap();
        assert_eq!(client_ip(&h, Some(peer), None), "10.0.0.2");
        assert_eq!(client_ip(&h, Some(peer), Some("x-forwarded-for")), "203.0.113.9");
        assert_eq!(client_ip(&HeaderMap::new(), Some(peer), Some("x-forwarded-for")), "10.0.0.2");
        assert_eq!(client_ip(&HeaderMap::new(), None, None), "unknown");
    }
}

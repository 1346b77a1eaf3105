//! Rate limits kept in the database, so a limit holds across every instance that shares it (an
//! in-process limiter such as `governor` would multiply the limit by the number of instances).
//! The algorithm is governor's, GCRA (a token bucket held as one number, the bucket's
//! theoretical arrival time): "N per window" lets a burst of N through, then one every
//! window / N, with no window edge. One guarded upsert per request.

use crate::server::platform::db::{now_ms, Conn, Db};
use crate::errors::AppError;
use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

const WINDOW: Duration = Duration::from_secs(60);

/// Counts one request in `bucket`; past a burst of `per_minute`, one more is let through every
/// minute / `per_minute`, and the rest are refused with the seconds until the next one would be.
/// `per_minute == 0` disables the limit.
pub async fn hit(db: &Db, bucket: &str, per_minute: u32) -> Result<(), AppError> {
    hit_window(db, bucket, per_minute, WINDOW).await
}

/// [`hit`] with `limit` per `window` (a minute, an hour).
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

/// GCRA's two numbers for `limit` per `window`: the interval between requests at the steady
/// rate, and how far ahead of now the bucket may run (the burst) before a request is refused.
fn cell(limit: u32, window: Duration) -> (i64, i64) {
    let window_ms = window.as_millis() as i64;
    let interval = (window_ms / i64::from(limit.max(1))).max(1);
    (interval, window_ms - interval)
}

async fn count(conn: &mut Conn, bucket: &str, limit: u32, window: Duration) -> Result<(), AppError> {
    let (interval, tolerance) = cell(limit, window);
    let now = now_ms();
    // Let through (and move the bucket on by one interval) only while it is at most `tolerance`
    // ahead of now; a refused request changes nothing.
    let admitted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO rate_buckets (bucket, tat) VALUES ($1, $2 + $3) \
         ON CONFLICT (bucket) DO UPDATE SET tat = (CASE WHEN rate_buckets.tat > $2 THEN rate_buckets.tat ELSE $2 END) + $3 \
         WHERE rate_buckets.tat - $2 <= $4 RETURNING tat",
    )
    .bind(bucket)
    .bind(now)
    .bind(interval)
    .bind(tolerance)
    .fetch_optional(&mut *conn)
    .await?;
    if admitted.is_some() {
        return Ok(());
    }
    let tat: i64 = sqlx::query_scalar("SELECT tat FROM rate_buckets WHERE bucket = $1").bind(bucket).fetch_one(&mut *conn).await?;
    Err(AppError::RateLimited { retry_after_secs: retry_after_secs(tat, now, tolerance) })
}

/// Whole seconds until the bucket is back within its tolerance (at least one).
fn retry_after_secs(tat: i64, now: i64, tolerance: i64) -> u64 {
    u64::try_from((tat - tolerance - now + 999) / 1000).unwrap_or(0).max(1)
}

/// Counts an authentication attempt (sign-up, sign-in, token) against the client's
/// [`limit_key`].
pub async fn hit_auth(db: &Db, client_key: &str, per_minute: u32) -> Result<(), AppError> {
    hit(db, &format!("auth:{client_key}"), per_minute).await
}

/// Forgets buckets that have run dry (called by the reconciler): one that is not ahead of now
/// answers exactly as no row does.
pub async fn purge(db: &Db) -> Result<(), sqlx::Error> {
    let w = db.write().await;
    sqlx::query("DELETE FROM rate_buckets WHERE tat < $1").bind(now_ms()).execute(w.pool()).await?;
    Ok(())
}

/// The client's address: the TCP peer, or, when `trusted_header` names the header a trusted
/// reverse proxy sets, the proxy's own entry in it — the last comma-separated value of the last
/// instance, since a proxy appends its entry after whatever the client sent. That entry is taken
/// as is: if it is not an IP address the proxy did not write it (or is misconfigured), and
/// walking back to an earlier entry would let the client choose its own rate-limit bucket, so the
/// request is refused. Without the header (a request that bypassed the proxy) the peer counts.
/// Headers are never trusted unless configured, or anyone could pick their own bucket.
pub fn client_ip(headers: &HeaderMap, peer: Option<SocketAddr>, trusted_header: Option<&str>) -> Result<Option<IpAddr>, AppError> {
    let Some(name) = trusted_header else { return Ok(peer.map(|p| p.ip())) };
    let Some(last) = headers.get_all(name).iter().next_back() else { return Ok(peer.map(|p| p.ip())) };
    let entry = last.to_str().ok().and_then(|v| v.rsplit(',').next()).map(str::trim).unwrap_or_default();
    entry
        .parse::<IpAddr>()
        .map(Some)
        .map_err(|_| AppError::invalid_field(name, "the last entry (the proxy's own) is not an IP address"))
}

/// The rate-limit key of an address: IPv4 as is; IPv6 by its /64, the smallest network a
/// provider hands out, so one host cannot take a fresh budget from each of its 2^64 addresses.
/// IPv4-mapped IPv6 addresses (a dual-stack listener's IPv4 peers) count as the IPv4 address,
/// or every IPv4 client would share one /64.
pub fn limit_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(network))
            }
        },
    }
}

/// The key the IP-based limits count a request under ([`client_ip`] → [`limit_key`]).
pub fn client_key(headers: &HeaderMap, peer: Option<SocketAddr>, trusted_header: Option<&str>) -> Result<String, AppError> {
    Ok(client_ip(headers, peer, trusted_header)?.map_or_else(|| "unknown".to_string(), limit_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(h: &HeaderMap, peer: Option<SocketAddr>, trusted: Option<&str>) -> Result<String, String> {
        client_key(h, peer, trusted).map_err(|e| e.field("x-forwarded-for").unwrap_or_else(|| e.to_string()))
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn client_ip_trusts_only_the_configured_header_and_only_its_last_entry() {
        let xff = Some("x-forwarded-for");
        let peer: SocketAddr = "10.0.0.2:5555".parse().unwrap();
        let h = forwarded(&["6.6.6.6, 203.0.113.9"]);
        assert_eq!(key(&h, Some(peer), None).unwrap(), "10.0.0.2");
        assert_eq!(key(&h, Some(peer), xff).unwrap(), "203.0.113.9");
        assert_eq!(key(&forwarded(&["6.6.6.6", " 203.0.113.9 "]), Some(peer), xff).unwrap(), "203.0.113.9");
        assert_eq!(key(&HeaderMap::new(), Some(peer), xff).unwrap(), "10.0.0.2");
        assert_eq!(key(&HeaderMap::new(), None, None).unwrap(), "unknown");
        // The client wrote these; the proxy's entry is not an address: refused, never walked back.
        for bad in [&["1.2.3.4, garbage"][..], &["1.2.3.4", "garbage"], &["1.2.3.4,"], &["203.0.113.9:80"], &[""], &["[::1]"]] {
            let refused = key(&forwarded(bad), Some(peer), xff);
            assert!(refused.as_ref().is_err_and(|m| m.contains("not an IP address")), "{bad:?}: {refused:?}");
        }
    }

    #[test]
    fn a_limit_is_a_burst_then_a_steady_rate_whatever_the_clock() {
        // 3 a minute: three at once, then one every 20 s; the same at any time of day.
        let (interval, tolerance) = cell(3, WINDOW);
        assert_eq!((interval, tolerance), (20_000, 40_000));
        for now in [0_i64, 59_999, 60_000, 1_765_000_000_123] {
            let mut tat = now;
            let mut admitted = 0;
            for _ in 0..5 {
                if tat - now <= tolerance {
                    tat = tat.max(now) + interval;
                    admitted += 1;
                }
            }
            assert_eq!(admitted, 3, "at {now}");
            assert_eq!(retry_after_secs(tat, now, tolerance), 20, "the next one in 20 s, at {now}");
        }
        assert_eq!(retry_after_secs(1_001, 0, 0), 2, "rounded up");
        assert_eq!(retry_after_secs(0, 5_000, 0), 1, "never 0");
        assert_eq!(cell(7, Duration::from_secs(3600)).0, 514_285);
    }

    #[test]
    fn ipv6_addresses_are_limited_by_their_64() {
        let k = |ip: &str| limit_key(ip.parse().unwrap());
        assert_eq!(k("203.0.113.9"), "203.0.113.9");
        assert_eq!(k("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
        assert_eq!(k("2001:db8:1:2::1"), k("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert_ne!(k("2001:db8:1:2::1"), k("2001:db8:1:3::1"));
        assert_eq!(k("::1"), "::/64");
        assert_eq!(k("::ffff:203.0.113.9"), "203.0.113.9", "IPv4-mapped counts as IPv4");
        assert_ne!(k("::ffff:203.0.113.9"), k("::ffff:203.0.113.10"));
    }
}

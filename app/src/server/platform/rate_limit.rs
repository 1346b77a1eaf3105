//! Rate limits kept in the database, so a limit holds across every instance that shares it (an
//! in-process limiter such as `governor` would multiply the limit by the number of instances).
//! The algorithm is governor's, GCRA (a token bucket held as one number, the bucket's
//! theoretical arrival time): "N per window" lets a burst of N through, then one every
//! window / N, with no window edge. One guarded upsert per request. Buckets are named by the
//! caller: a user's creates, a client's sign-ins (keyed at the edge, `api::client_address`).

use crate::errors::AppError;
use crate::server::platform::db::{now_ms, Conn, Db};
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

/// Counts an authentication attempt (sign-up, sign-in, token) against the client's key (its
/// address, an IPv6 one by its /64: `api::client_address`).
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

//! Who is asking, as far as the rate limits are concerned: the client's address, read from the
//! TCP peer or a trusted proxy's header, and the key its limits count under.

use crate::errors::AppError;
use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

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

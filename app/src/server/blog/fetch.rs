//! Reading a user's blog post safely: the URL's host is resolved once, every address is checked
//! against private and special-purpose ranges, and the connection is pinned to the checked
//! address, so DNS rebinding cannot redirect it. Redirects are followed by hand, re-checking
//! every hop. Body size and total time are capped.

use futures::StreamExt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

pub const MAX_REDIRECTS: usize = 5;
pub const USER_AGENT: &str = "InfographBot/0.1 (+https://github.com/infograph; reads one page per request)";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FetchError {
    #[error("only http and https URLs can be read")]
    Scheme,
    #[error("the address {0} is not public")]
    PrivateAddress(IpAddr),
    #[error("the host could not be resolved")]
    Resolve,
    #[error("too many redirects")]
    TooManyRedirects,
    #[error("the page answered HTTP {0}")]
    Status(u16),
    #[error("the page is not HTML ({0})")]
    NotHtml(String),
    #[error("the page is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the page took too long to load")]
    Timeout,
    #[error("the connection failed")]
    Connect,
}

#[derive(Debug, Clone, Default)]
pub struct FetchPolicy {
    /// Test-only exceptions: exact non-public `address:port`s that may be fetched (a loopback
    /// fixture server). Empty in production, where nothing private is reachable.
    pub allow: Vec<SocketAddr>,
    pub timeout: Duration,
    pub max_bytes: usize,
}

impl FetchPolicy {
    fn permits(&self, addr: SocketAddr) -> bool {
        is_public(addr.ip()) || self.allow.contains(&addr)
    }
}

fn ipv4_is_public(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn ipv6_is_public(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return ipv4_is_public(v4);
    }
    let seg = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (seg[0] & 0xffc0) == 0xfe80 // link local fe80::/10
        || (seg[0] & 0xffc0) == 0xfec0 // site local (deprecated)
        || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
        || (seg[0] == 0x64 && seg[1] == 0xff9b) // NAT64 can reach IPv4 private space
        || (seg[0] == 0x2002) // 6to4 embeds an IPv4 address
        || (seg[0] == 0x2001 && seg[1] == 0) // Teredo embeds an IPv4 address
        || seg[..6] == [0, 0, 0, 0, 0xffff, 0] // IPv4-translated ::ffff:0:a.b.c.d
        || ip.segments()[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible ::a.b.c.d
}

pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => ipv4_is_public(v4),
        IpAddr::V6(v6) => ipv6_is_public(v6),
    }
}

/// Rejects, without any network access, URLs whose host is a literal non-public address or a
/// name that always means this machine. Used at create time so nothing is charged for them.
pub fn check_literal(url: &url::Url, policy: &FetchPolicy) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Scheme);
    }
    let port = url.port_or_known_default().ok_or(FetchError::Scheme)?;
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        Some(url::Host::Domain(d)) if d == "localhost" || d.ends_with(".localhost") => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Some(url::Host::Domain(_)) => return Ok(()),
        None => return Err(FetchError::Resolve),
    };
    if policy.permits(SocketAddr::new(literal, port)) {
        Ok(())
    } else {
        Err(FetchError::PrivateAddress(literal))
    }
}

pub async fn resolve_checked(url: &url::Url, policy: &FetchPolicy) -> Result<SocketAddr, FetchError> {
    check_literal(url, policy)?;
    let host = url.host_str().ok_or(FetchError::Resolve)?;
    let port = url.port_or_known_default().ok_or(FetchError::Scheme)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| FetchError::Resolve)?
        .collect();
    let first = *addrs.first().ok_or(FetchError::Resolve)?;
    // Every answer must be public: a name that resolves to one public and one private address
    // is a rebinding attempt.
    if let Some(bad) = addrs.iter().find(|a| !policy.permits(**a)) {
        return Err(FetchError::PrivateAddress(bad.ip()));
    }
    Ok(first)
}

/// How long a create waits for a DNS answer about a blog's host before leaving the question to
/// the fetch (which fails and refunds if the host is really gone).
pub const HOST_CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether a blog's host can be found, asked at create time so nothing is charged for a post
/// that cannot be read: a DNS look-up, not a fetch. A name that does not resolve, or resolves to
/// a private address, is refused; a slow answer is not (create stays immediate).
pub async fn check_host(url: &url::Url, policy: &FetchPolicy) -> Result<(), FetchError> {
    match tokio::time::timeout(HOST_CHECK_TIMEOUT, resolve_checked(url, policy)).await {
        Ok(answer) => answer.map(|_| ()),
        Err(_) => Ok(()),
    }
}

/// A fetched HTML page.
#[derive(Debug, Clone)]
pub struct Page {
    pub final_url: url::Url,
    pub html: String,
}

pub async fn fetch_html(url: &url::Url, policy: FetchPolicy) -> Result<Page, FetchError> {
    tokio::time::timeout(policy.timeout, fetch_following_redirects(url.clone(), policy))
        .await
        .map_err(|_| FetchError::Timeout)?
}

async fn fetch_following_redirects(mut url: url::Url, policy: FetchPolicy) -> Result<Page, FetchError> {
    for _ in 0..=MAX_REDIRECTS {
        let addr = resolve_checked(&url, &policy).await?;
        let host = url.host_str().ok_or(FetchError::Resolve)?.to_string();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .resolve(&host, addr)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|_| FetchError::Connect)?;
        let response = client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml;q=0.9")
            .send()
            .await
            .map_err(|e| if e.is_timeout() { FetchError::Timeout } else { FetchError::Connect })?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or(FetchError::Status(status.as_u16()))?;
            url = url.join(location).map_err(|_| FetchError::Status(status.as_u16()))?;
            continue;
        }
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !(content_type.starts_with("text/html") || content_type.starts_with("application/xhtml+xml")) {
            return Err(FetchError::NotHtml(content_type));
        }
        let bytes = read_capped(response, policy.max_bytes).await?;
        let html = decode_html(&bytes, &content_type);
        return Ok(Page { final_url: url, html });
    }
    Err(FetchError::TooManyRedirects)
}

async fn read_capped(response: reqwest::Response, max: usize) -> Result<Vec<u8>, FetchError> {
    if response.content_length().is_some_and(|n| n as usize > max) {
        return Err(FetchError::TooLarge(max));
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| if e.is_timeout() { FetchError::Timeout } else { FetchError::Connect })?;
        if body.len() + chunk.len() > max {
            return Err(FetchError::TooLarge(max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The charset a page declares: a byte-order mark, then the `Content-Type` header, then — only
/// when the bytes are not valid UTF-8 — a `<meta charset>` / `<meta http-equiv>` in the first
/// 1024 bytes (the HTML spec's prescan window); UTF-8 otherwise. Valid UTF-8 with non-ASCII text
/// practically never comes from a legacy encoding, while pages re-saved as UTF-8 that still say
/// `gb2312` or `iso-8859-1` in a meta tag are common.
fn page_encoding(bytes: &[u8], content_type: &str) -> &'static encoding_rs::Encoding {
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding;
    }
    let label_after = |haystack: &str, key: &str| -> Option<&'static encoding_rs::Encoding> {
        let at = haystack.find(key)? + key.len();
        let rest = haystack[at..].trim_start_matches(['=', '"', '\'', ' ']);
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(rest.len());
        encoding_rs::Encoding::for_label(rest[..end].as_bytes())
    };
    if let Some(encoding) = label_after(content_type, "charset") {
        return encoding;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return encoding_rs::UTF_8;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    label_after(&head, "charset").unwrap_or(encoding_rs::UTF_8)
}

pub fn decode_html(bytes: &[u8], content_type: &str) -> String {
    let (text, _, _) = page_encoding(bytes, content_type).decode(bytes);
    text.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
            "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fc00::1", "fd12::1", "fe80::1",
            "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "::ffff:0:7f00:1", "2001:0:4136:e378::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn charsets_are_decoded_from_header_meta_or_bom() {
        let latin1 = b"<p>caf\xe9</p>";
        assert_eq!(decode_html(latin1, "text/html; charset=ISO-8859-1"), "<p>caf\u{e9}</p>");
        let meta = b"<html><head><meta charset=\"windows-1252\"></head><body>\x93hi\x94</body>";
        assert!(decode_html(meta, "text/html").contains("\u{201c}hi\u{201d}"));
        let sjis = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">\x93\xfa\x96\x7b";
        assert!(decode_html(sjis, "text/html").ends_with("\u{65e5}\u{672c}"));
        assert_eq!(decode_html("h\u{e9}".as_bytes(), "text/html"), "h\u{e9}");
        assert_eq!(decode_html(b"\xef\xbb\xbfok", "text/html; charset=latin1"), "ok");
        let resaved = "<meta charset=gb2312><p>\u{4e2d}\u{6587}</p>";
        assert_eq!(decode_html(resaved.as_bytes(), "text/html"), resaved, "valid UTF-8 wins over a stale meta");
    }

    #[test]
    fn numeric_tricks_are_normalised_then_refused() {
        for u in [
            "http://2130706433/", "http://0x7f.0.0.1/", "http://0177.0.0.1/", "http://127.1/",
            "http://[::ffff:7f00:1]/", "http://localhost:8080/", "http://0/", "http://169.254.169.254/latest",
        ] {
            assert!(check_literal(&url(u), &FetchPolicy::default()).is_err(), "{u}");
        }
        assert!(check_literal(&url("https://example.com/post"), &FetchPolicy::default()).is_ok());
        let fixture = FetchPolicy { allow: vec!["127.0.0.1:8080".parse().unwrap()], ..FetchPolicy::default() };
        assert!(check_literal(&url("http://127.0.0.1:8080/"), &fixture).is_ok());
        assert!(check_literal(&url("http://localhost:8080/"), &fixture).is_ok());
        assert!(check_literal(&url("http://127.0.0.1:8081/"), &fixture).is_err(), "only the exact address");
        assert!(check_literal(&url("http://10.0.0.1:8080/"), &fixture).is_err());
    }
}
